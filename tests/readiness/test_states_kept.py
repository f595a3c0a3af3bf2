"""The gate states kept per volunteer (app/readiness/services_states.py) are always what the rules decide.

Rewritten for everyone by the daily sweep (checked gate by gate against `queries.readiness_for` over the varied
records of test_state_sql), filtered exactly as `queries.matches_filters` filters (every gate, state and lead
time), worked out again for each person whose records a commit changes (every kind of readiness record, added,
changed and removed), and read by the list and its CSV only when they hold today under today's policies, with
the same pages as when every gate is decided from the records. Run on PostgreSQL too (TEST_DATABASE_URL); the
races are in tests/concurrency/test_readiness_state_races.py.
"""
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.applications.models import Application
from app.applications.rules import Status
from app.auth.models import Role, User, UserRole
from app.db_types import utcnow
from app.extensions import db
from app.readiness import queries, queries_kept, services_states
from app.readiness.models import (
    AgreementSignature,
    EmergencyContact,
    GateStateEntry,
    GateStateState,
    Induction,
    Standing,
)
from app.readiness.policy import current_policy
from app.readiness.services_sweep import sweep
from app.timefmt import today_london
from app.training.models import Completion
from app.vetting.enums import DbsOutcome
from app.vetting.models import IdentityCheck, SelfDeclaration
from app.vetting.policy import current_policy as vetting_policy
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.readiness.factories import make_ready_volunteer, make_released
from tests.readiness.test_state_sql import REAL_EXTRAS, varied  # noqa: F401  (varied: a fixture)
from tests.vetting.factories import make_dbs, make_nppv


def kept_gates(ids=None) -> dict[int, tuple]:
    """Each volunteer's kept gates: ((state, until) per gate, ready, until, released)."""
    db.session.expire_all()
    policy, today = current_policy(), state().on_day or state().building_day or today_london()
    query = select(GateStateEntry.person_id, GateStateEntry.states, GateStateEntry.untils, GateStateEntry.ready,
                   GateStateEntry.until, GateStateEntry.released)
    found = {}
    for person, states, untils, ready, until, released in db.session.execute(query):
        if ids is None or person in ids:
            readiness = queries_kept.readiness_from(states, untils, policy, today)
            found[person] = (tuple((o.state, o.until) for o in readiness.outcomes), ready, until, released)
    return found


def rules_gates(ids, day: date) -> dict[int, tuple]:
    """((state, until) per gate, ready, until, released) as the rules and the standings say."""
    found, standing = queries.readiness_for(ids, day), queries.standings(ids)
    return {i: (tuple((o.state, o.until if o.state.good else None) for o in r.outcomes), r.ready, r.until,
                i in standing and standing[i].status == Standing.RELEASED) for i, r in found.items()}


def volunteers() -> list[int]:
    return list(db.session.scalars(select(UserRole.user_id).where(UserRole.role == Role.VOLUNTEER)))


def assert_kept_as_the_rules_say(day: date | None = None) -> None:
    day = day or today_london()
    ids = volunteers()
    kept, by_rules = kept_gates(), rules_gates(ids, day)
    wrong = {i: (kept.get(i), found) for i, found in by_rules.items() if kept.get(i) != found}
    assert not wrong, f"{day}: (kept, rules) differ for {len(wrong)} of {len(ids)}: {list(wrong.items())[:3]}"


def state() -> GateStateState:
    db.session.expire_all()
    return db.session.get(GateStateState, 1)


@pytest.fixture
def real_extras(monkeypatch):
    """Identity and self-declaration from their records (the conftest stands them in for most tests)."""
    monkeypatch.setattr(queries, "_vetting_extras", REAL_EXTRAS)


def test_the_daily_rewrite_keeps_everyone_s_gates_as_the_rules_decide(varied):  # noqa: F811
    ids, found, _, today = varied
    for day in (today, today + timedelta(days=59), today - timedelta(days=400)):
        assert services_states.refresh(day) is True
        assert_kept_as_the_rules_say(day)
        assert (state().on_day, state().building_day) == (day, None)
        assert services_states.refresh(day) is False  # already done: not done twice
    assert {i for i, r in found.items() if r.ready} and {i for i, r in found.items() if not r.ready}


def test_the_kept_filters_select_what_the_python_filter_matches(varied):  # noqa: F811
    ids, found, standing, today = varied
    services_states.refresh(today)
    released = {i for i, s in standing.items() if s.status == Standing.RELEASED}
    policy = current_policy()
    for gate in [None, "dbs", "police-vetting", "safeguarding", "agreement"]:
        for wanted in [None, "passed", "expiring", "expired", "pending", "failed", "ready", "released"]:
            for within in [None, 1, 59, 60, 61, 400]:
                expected = {i for i in ids if queries.matches_filters(found[i], i in released, gate, wanted, within)}
                selected = set(db.session.scalars(
                    select(User.id).join(GateStateEntry, GateStateEntry.person_id == User.id)
                    .where(queries_kept.matching(policy, today, gate, wanted, within))))
                assert selected == expected, (gate, wanted, within)


def test_every_change_to_someone_s_records_is_kept_as_it_commits(app, real_extras):
    """No rewrite after the first: each commit works out again the gates of the people it changed."""
    today = today_london()
    ann = make_ready_volunteer(name="Ann Almost", skip=("agreement", "induction", "emergency-contact", "dbs"))
    bob = make_ready_volunteer(name="Bob Bystander")
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    services_states.refresh(today)
    rewritten_at = state().refreshed_at
    before_bob = kept_gates()[bob.id]
    steps = []

    def step(name):
        db.session.commit()
        steps.append(name)
        assert_kept_as_the_rules_say()

    db.session.add(AgreementSignature(volunteer_id=ann.id, version=1, typed_name="Ann Almost", signed_on=today))
    step("agreement signed")
    db.session.add(Induction(volunteer_id=ann.id, held_on=today, supervisor_id=coordinator.id))
    step("induction held")
    contact = EmergencyContact(volunteer_id=ann.id, name="Pat", relationship_kind="partner", phone="07700900123")
    db.session.add(contact)
    step("emergency contact")
    check = make_dbs(ann, outcome=None, commit=False)
    step("DBS check requested")
    check.issued_on, check.outcome, check.certificate_number = today - timedelta(days=3), DbsOutcome.CLEAR, "1"
    step("DBS certificate clear")
    db.session.add(IdentityCheck(volunteer_id=ann.id, route="route_1", documents=["passport"], names_confirmed=True,
                                 addresses_confirmed=True, checked_on=today))
    step("identity checked")
    db.session.add(SelfDeclaration(volunteer_id=ann.id, made_on=today, has_something=False))
    step("self-declaration")
    assert kept_gates()[ann.id][1] is True, steps  # every gate passed now
    standing = make_released(ann)
    step("released")
    standing.status = Standing.STOOD_DOWN
    step("stood down")
    application = db.session.scalar(select(Application).where(Application.user_id == ann.id))
    application.referees[0].satisfactory = False
    step("a reference found unsatisfactory")
    application.referees[0].satisfactory = True
    step("and satisfactory again")
    completion = db.session.scalar(select(Completion).where(Completion.user_id == ann.id))
    completion.expires_on = today + timedelta(days=5)
    step("a course expires soon")
    db.session.delete(completion)
    step("a course completion removed")
    db.session.delete(contact)
    step("emergency contact removed")
    make_application(user=ann, status=Status.DECLINED, commit=False)
    step("another application, declined")
    cy = make_user(Role.VOLUNTEER, name="Cy Newcomer")  # a new volunteer: nothing passed yet
    steps.append("new volunteer")
    assert kept_gates()[cy.id][1] is False
    assert kept_gates()[bob.id] == before_bob
    assert_kept_as_the_rules_say()
    assert state().refreshed_at == rewritten_at  # all of it kept one person at a time, never rewritten


def test_a_rolled_back_change_leaves_the_gates_as_they_were(app):
    ann = make_ready_volunteer(name="Ann Almost", skip=("agreement",))
    services_states.refresh(today_london())
    before = kept_gates()[ann.id]
    db.session.add(AgreementSignature(volunteer_id=ann.id, version=1, typed_name="Ann", signed_on=today_london()))
    db.session.flush()
    db.session.rollback()
    assert kept_gates()[ann.id] == before
    make_nppv(ann)  # the next commit is not confused by the rolled-back one
    assert_kept_as_the_rules_say()


def test_nothing_is_kept_or_read_before_a_rewrite_or_for_another_day_or_policy(app, monkeypatch):
    today = today_london()
    ann = make_ready_volunteer(name="Ann Almost", skip=("agreement",))
    assert db.session.get(GateStateEntry, ann.id) is None  # never rewritten: nothing kept, nothing written
    assert not queries_kept.fresh(db.session, today, current_policy(), vetting_policy())
    services_states.refresh(today - timedelta(days=1))
    assert not queries_kept.fresh(db.session, today, current_policy(), vetting_policy())  # yesterday's
    services_states.refresh(today)
    assert queries_kept.fresh(db.session, today, current_policy(), vetting_policy())
    changed = replace(current_policy(), agreement_version=2)
    monkeypatch.setattr(queries, "current_policy", lambda: changed)
    monkeypatch.setattr(services_states, "current_policy", lambda: changed)
    assert not queries_kept.fresh(db.session, today, changed, vetting_policy())
    db.session.add(AgreementSignature(volunteer_id=ann.id, version=1, typed_name="Ann", signed_on=today))
    db.session.commit()  # kept under the old policy only: left alone, not worked out under the new one
    agreement = current_policy().codes.index("agreement")
    assert kept_gates()[ann.id][0][agreement][0].value == "pending"


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    main = re.search(r"<main.*</main>", text, re.S)  # the page's own content (the frame carries per-response tokens)
    return main.group(0) if main else text


def ready_volunteer(name: str, **kwargs) -> User:
    """A volunteer passing every gate but those skipped, with real identity and self-declaration records."""
    person = make_ready_volunteer(name=name, commit=False, **kwargs)
    db.session.add(IdentityCheck(volunteer_id=person.id, route="route_1", documents=["passport"],
                                 names_confirmed=True, addresses_confirmed=True, checked_on=today_london()))
    db.session.add(SelfDeclaration(volunteer_id=person.id, made_on=today_london(), has_something=False))
    return person


def test_the_list_and_its_csv_are_the_same_read_from_the_kept_states(login_as, real_extras):
    """Every filter: the page and the CSV from the kept states are those decided from the records."""
    client = login_as("coordinator", areas=["Durham"])
    coordinator = client.user
    for n in range(4):
        ready_volunteer(f"Rae Ready {n}", supervisor=coordinator)
    released = ready_volunteer("Rel Released", supervisor=coordinator)
    db.session.commit()
    make_released(released)
    ready_volunteer("Sid Skipped", skip=("dbs", "agreement"), supervisor=coordinator)
    ready_volunteer("Out Ofarea", areas=("Darlington",))
    db.session.commit()
    paths = ["/readiness/staff", "/readiness/staff?state=ready", "/readiness/staff?state=released",
             "/readiness/staff?gate=dbs&state=pending", "/readiness/staff?state=pending",
             "/readiness/staff?within=60", "/readiness/staff?gate=dbs&within=4000"]
    paths += [p.replace("/readiness/staff", "/readiness/staff/readiness.csv") for p in paths]
    decided = {p: _page(client, p) for p in paths}
    services_states.refresh(today_london())
    assert queries_kept.fresh(db.session, today_london(), current_policy(), vetting_policy())
    for path in paths:
        assert _page(client, path) == decided[path], path
    assert "Rae Ready 0" in decided["/readiness/staff?state=ready"]
    assert "Out Ofarea" not in decided["/readiness/staff"] and "Out Ofarea" not in decided[paths[7]]
    assert "Sid Skipped" in decided["/readiness/staff?gate=dbs&state=pending"]


def test_the_sweep_keeps_everyone_s_gates_for_its_day(app):
    today = today_london()
    ann = make_ready_volunteer(name="Ann Ready")
    sweep(today)
    assert state().on_day == today and state().refreshed_at <= utcnow()
    assert kept_gates()[ann.id][1] is True
    assert_kept_as_the_rules_say()


def test_flask_readiness_keep_keeps_everyone_s_gates(app):
    ann = ready_volunteer("Ann Ready")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["readiness", "keep", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"gate states kept for {today_london().isoformat()}" in result.output
    assert state().on_day == today_london() and ann.id in kept_gates()
    again = runner.invoke(args=["readiness", "keep", "--no-progress"])
    assert "(already kept)" in again.output
    bad = runner.invoke(args=["readiness", "keep", "--today", "31-02-2027"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
