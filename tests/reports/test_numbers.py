"""Every dashboard number against the hand-built scheme in tests/reports/scheme.py (answers worked by hand)."""
import pytest

from app.reports import queries
from app.reports.queries import Scope
from tests.reports.scheme import END, START, TODAY, build


@pytest.fixture
def scheme():
    return build()


def everyone():
    return Scope(None, START, END, TODAY)


def test_pipeline_counts_and_months(scheme):
    assert queries.pipeline_counts(everyone()) == {"applied": 7, "accepted": 6, "vetted": 4, "trained": 4,
                                                   "released": 4, "paired": 4, "active": 2}
    assert queries.pipeline_by_month(everyone()) == {
        "applied": {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 1, "2026-05": 1},
        "accepted": {"2026-02": 2, "2026-03": 1, "2026-04": 1},
        "vetted": {"2026-03": 2}, "trained": {"2026-03": 2},
        "released": {"2026-01": 2, "2026-04": 2}, "paired": {"2026-01": 2, "2026-05": 2}}


def test_time_in_each_stage_median_and_90th_percentile(scheme):
    # applied->accepted: Ann 22, Ben 20, Cat 19, Dan 19; accepted->vetted: Ann 28, Ben 13; vetted->trained: Ann 14,
    # Ben 10; trained->released: Ann 17, Ben 26, Fay 35, Gus 61; released->paired: Ann 30, Ben 16, Fay 15, Gus 10.
    assert queries.time_in_stage(everyone()) == {
        "applied": {"people": 4, "median": 19, "p90": 22},
        "accepted": {"people": 2, "median": 13, "p90": 28},
        "vetted": {"people": 2, "median": 10, "p90": 14},
        "trained": {"people": 4, "median": 26, "p90": 61},
        "released": {"people": 4, "median": 15, "p90": 30}}


def test_the_gates_holding_volunteers_match_the_readiness_rules(scheme):
    holding, total = queries.gates_holding(everyone())
    counts = {g.code: n for g, n in holding}
    assert total == 2  # Cat and Dan are not released
    assert counts == {"application": 0, "references": 0, "identity": 1, "self-declaration": 1, "dbs": 1,
                      "police-vetting": 2, "taster-day": 1, "safeguarding": 2, "grow": 2, "hear": 2, "gdpr": 2,
                      "roles": 2, "agreement": 2, "induction": 2, "emergency-contact": 2}
    # The same answer as the readiness rules give, person by person (the SQL and the rules read the same facts).
    from app.readiness.queries import readiness_for

    people = [scheme.people["cat"].id, scheme.people["dan"].id]
    found = readiness_for(people, TODAY)
    assert counts == {code: sum(1 for i in people if not found[i].outcome(code).state.good) for code in counts}
    top = max(holding, key=lambda item: item[1])
    assert top[0].code == "police-vetting"


def test_lapses_in_30_60_and_90_days(scheme):
    assert queries.lapses(everyone(), (30, 60, 90)) == {
        "dbs": {30: 1, 60: 1, 90: 2}, "police": {30: 0, 60: 1, 90: 1}, "safeguarding": {30: 1, 60: 1, 90: 1},
        "agreement": 2}


def test_a_coordinators_numbers_are_their_areas_only(scheme):
    durham = Scope((scheme.durham,), START, END, TODAY)
    assert queries.lapses(durham, (30, 60, 90)) == {
        "dbs": {30: 1, 60: 1, 90: 1}, "police": {30: 0, 60: 1, 90: 1}, "safeguarding": {30: 1, 60: 1, 90: 1},
        "agreement": 1}
    assert queries.pipeline_counts(durham) == {"applied": 4, "accepted": 4, "vetted": 3, "trained": 3,
                                               "released": 3, "paired": 3, "active": 2}
    assert queries.contacts_by_month(durham) == {"2026-05": (2, 90), "2026-06": (1, 90)}
    assert queries.training_by_month(durham) == {"2026-03": (1, 2, 690), "2026-04": (1, 1, 180)}
    names = {n for n, _ in queries.volunteers_by_area(durham)}
    assert names == {"Durham"}


def test_the_people_behind_a_lapse_count(scheme):
    people = scheme.people
    found = [u.id for u in queries.db.session.scalars(queries.lapsing_people("dbs", everyone(), 90))]
    assert found == [people["fay"].id, people["gus"].id]
    ends = queries.lapse_days("dbs", found, TODAY)
    assert ends == {people["fay"].id: TODAY.replace(month=7, day=1), people["gus"].id: TODAY.replace(month=8, day=20)}
    assert [u.id for u in queries.db.session.scalars(queries.lapsing_people("agreement", everyone(), 0))] == [
        people["cat"].id, people["dan"].id]


def test_volunteers_by_area_hours_and_training(scheme):
    by_area = dict(queries.volunteers_by_area(everyone()))
    assert by_area["Durham"] == 4 and by_area["Weardale"] == 2
    assert sum(by_area.values()) == 6  # Eve is an applicant, not a volunteer
    assert queries.contacts_by_month(everyone()) == {"2026-02": (1, 30), "2026-05": (2, 90), "2026-06": (1, 90)}
    # March: Ann 360 + Ben 330 (30 minutes late) + Dan 360 minutes; April: Cat 180; the cancelled session is not counted.
    assert queries.training_by_month(everyone()) == {"2026-03": (1, 3, 1050), "2026-04": (1, 1, 180)}
