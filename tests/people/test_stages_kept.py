"""The stages kept per person (app/people/services_stages.py) are always what the list's stage SQL says.

Rewritten for everyone by the first list of the day (checked against `queries.stage` for the hand-built set and
the varied records of the readiness tests), worked out again for each person whose records a commit changes
(application, DBS, police vetting, course, standing, pairing, volunteer role), rewritten on a new day or under
new policies, and read by the list by stage with the same page as when every stage is worked out. Run on
PostgreSQL too (TEST_DATABASE_URL); two changes to one person at once: tests/concurrency/test_people_stage_races.py.
"""
import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from app.applications.rules import Status
from app.auth.models import Role, User
from app.extensions import db
from app.people import queries, services_stages
from app.people.models import StageEntry, StageState
from app.people.rules import Stage
from app.readiness.models import Client, Pairing, Standing
from app.timefmt import today_london
from app.training.models import Completion
from tests.applications.factories import make_application
from tests.factories import area_named, make_user
from tests.people.test_people import EXPECTED, world  # noqa: F401  (world: a fixture)
from tests.readiness.factories import COURSE_GATES, make_completion, make_released
from tests.readiness.test_state_sql import varied  # noqa: F401  (varied: a fixture)
from tests.vetting.factories import make_dbs, make_nppv


def kept() -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(StageEntry.person_id, StageEntry.stage)).all())


def assert_kept_as_the_sql_says(day=None) -> None:
    day = day or today_london()
    by_sql = dict(db.session.execute(select(User.id, queries.stage(day)).where(queries.people())).all())
    found = kept()
    wrong = {i: (found.get(i), s) for i, s in by_sql.items() if found.get(i) != s}
    assert not wrong, f"{day}: (kept, sql) differ for {len(wrong)} of {len(by_sql)}: {list(wrong.items())[:5]}"


def state() -> StageState:
    db.session.expire_all()
    return db.session.get(StageState, 1)


def test_the_daily_rewrite_keeps_everyone_s_stage(varied):  # noqa: F811
    today = today_london()
    for day in (today, today + timedelta(days=400), today - timedelta(days=30)):
        assert services_stages.refresh(day) is True
        assert_kept_as_the_sql_says(day)
        assert state().on_day == day
        assert services_stages.refresh(day) is False  # already done: not done twice
    assert len(set(kept().values())) >= 4


def test_the_hand_built_set_is_kept_as_written(app, world):  # noqa: F811
    assert services_stages.ensure(today_london()) is True
    stages = kept()
    assert {name: Stage(stages[world[name].id]) for name in EXPECTED} == EXPECTED


def test_every_change_to_someone_s_records_is_kept_as_it_commits(app):
    today = today_london()
    ann = make_user(Role.APPLICANT, name="Ann Applying", areas=["Weardale"])
    bob = make_user(Role.VOLUNTEER, name="Bob Bystander", areas=["Weardale"])
    services_stages.refresh(today)
    rewritten_at = state().refreshed_at
    assert ann.id not in kept() and kept()[bob.id] == "none"

    def step(expected):
        db.session.commit()
        assert kept()[ann.id] == expected
        assert_kept_as_the_sql_says()

    application = make_application(user=ann, status=Status.SUBMITTED, areas=("Weardale",), commit=False)
    step("applied")
    application.status = Status.ACCEPTED
    ann.role_grants[0].role = Role.VOLUNTEER
    step("accepted")
    make_dbs(ann, issued_on=today - timedelta(days=20), commit=False)
    make_nppv(ann, granted_on=today - timedelta(days=20), commit=False)
    step("vetted")
    for course in COURSE_GATES.values():
        make_completion(ann, course, today - timedelta(days=5), commit=False)
    step("trained")
    completion = db.session.scalars(select(Completion).where(Completion.user_id == ann.id)).first()
    completion.expires_on = today - timedelta(days=1)
    step("vetted")
    completion.expires_on = None
    step("trained")
    standing = make_released(ann)
    assert kept()[ann.id] == "released"
    make_released(bob)
    client = Client(reference="WEA-0200", area_id=area_named("Weardale").id, needs=[])
    db.session.add(client)
    db.session.flush()
    pairing = Pairing(client_id=client.id, first_id=bob.id, second_id=ann.id, started_on=today)
    db.session.add(pairing)
    step("active")
    assert kept()[bob.id] == "active"
    pairing.ended_on = today
    step("released")
    standing.status = Standing.STOOD_DOWN
    step("trained")
    cy = make_user(Role.VOLUNTEER, name="Cy Newcomer")
    assert kept()[cy.id] == "none"
    assert state().refreshed_at == rewritten_at  # all of it kept one person at a time, never rewritten


def test_a_new_day_or_new_policies_rewrite_at_the_next_list(login_as, monkeypatch):
    client = login_as("manager")
    services_stages.refresh(today_london() - timedelta(days=1))
    assert client.get("/volunteers?stage=none").status_code == 200
    assert state().on_day == today_london()
    import app.people.services_stages as module

    changed = replace(module.readiness_policy(), probation_months=4)
    monkeypatch.setattr(module, "readiness_policy", lambda: changed)
    assert not services_stages.fresh(today_london())
    assert client.get("/volunteers?stage=none").status_code == 200
    assert services_stages.fresh(today_london())


def _main(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)


def test_the_list_by_stage_is_the_same_read_from_the_kept_stages(login_as, world, monkeypatch):  # noqa: F811
    paths = [f"/volunteers?stage={s.value}" for s in Stage] + ["/volunteers", "/volunteers?stage=accepted&q=jon"]
    ensure = services_stages.ensure
    for role in ("manager", "coordinator"):
        client = login_as(role, areas=["Durham"])
        kept_pages = {p: _main(client, p) for p in paths}
        assert services_stages.fresh(today_london())
        monkeypatch.setattr(services_stages, "ensure", lambda today: False)  # as if nothing were kept
        for path in paths:
            assert _main(client, path) == kept_pages[path], (role, path)
        monkeypatch.setattr(services_stages, "ensure", ensure)
    assert "Cat Vetted" in kept_pages["/volunteers?stage=vetted"]
    assert "Eve Released" not in kept_pages["/volunteers?stage=released"]  # Weardale: not the coordinator's
