"""The work lists kept per volunteer (app/vetting/services_lists.py) are always the rules' lists.

Rewritten for everyone once a day (checked against `categories` over the varied records of test_work_list_sql, for
several policies and days), worked out again for each person whose records a commit changes (every kind of
vetting record, added, changed and removed, and a new volunteer), and rewritten when the day or the policy
changes. Run on PostgreSQL too (TEST_DATABASE_URL); the races are in tests/concurrency/test_work_list_races.py.
"""
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import Role, User, UserRole
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import today_london
from app.vetting import services_lists
from app.vetting.enums import ChangeKind, DbsOutcome, Decision, NppvOutcome, StatusOutcome
from app.vetting.models import (
    DbsConfirmation,
    DbsDecision,
    NppvChange,
    StatusCheck,
    WorkListEntry,
    WorkListState,
)
from app.vetting.policy import VettingPolicy, current_policy
from app.vetting.rules_summaries import categories, category_labels
from app.vetting.services import facts_for, load_records
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv
from tests.vetting.test_work_list_sql import DAYS, POLICIES, varied  # noqa: F401  (varied: a fixture)


def kept_lists(policy: VettingPolicy) -> dict[int, set[str]]:
    """Each volunteer's lists as the table holds them (the daily rewrite writes only those on some list)."""
    keys = list(category_labels(policy))
    db.session.expire_all()
    return {person: {key for n, key in enumerate(keys) if bits & (1 << n)}
            for person, bits in db.session.execute(select(WorkListEntry.person_id, WorkListEntry.lists))}


def rules_lists(policy: VettingPolicy, day: date) -> dict[int, set[str]]:
    """Each volunteer's lists as the rules say, from their records."""
    everyone = db.session.scalars(select(UserRole.user_id).where(UserRole.role == Role.VOLUNTEER)).all()
    records = load_records(everyone)
    return {i: categories(*facts_for(records.get(i, ([], []))), policy, day) for i in everyone}


def assert_kept_as_the_rules_say(policy: VettingPolicy, day: date) -> None:
    kept, by_rules = kept_lists(policy), rules_lists(policy, day)
    wrong = {i: (kept.get(i, set()), found) for i, found in by_rules.items() if kept.get(i, set()) != found}
    assert not wrong, f"{policy}, {day}: (kept, rules) differ for {len(wrong)}: {list(wrong.items())[:5]}"


def state() -> WorkListState:
    db.session.expire_all()
    return db.session.get(WorkListState, 1)


def test_the_daily_rewrite_puts_everyone_on_the_lists_the_rules_do(varied):  # noqa: F811
    for n, policy in enumerate(POLICIES):
        day = DAYS[(3 * n) % len(DAYS)]
        assert services_lists.refresh(day, policy) is True
        assert_kept_as_the_rules_say(policy, day)
        assert (state().on_day, state().policy_key) == (day, services_lists.policy_key(policy))
        assert services_lists.refresh(day, policy) is False  # already done: not done twice


def test_every_change_to_someone_s_records_is_kept_as_it_commits(app):
    """No rewrite: each commit works out again the lists of the people it changed, and theirs only."""
    policy, today = current_policy(), today_london()
    ann = make_user(Role.VOLUNTEER, name="Ann Awaiting")
    bob = make_user(Role.VOLUNTEER, name="Bob Bystander")
    make_dbs(bob, issued_on=today - timedelta(days=30))
    make_nppv(bob, granted_on=today - timedelta(days=30))
    services_lists.refresh(today, policy)
    rewritten_at = state().refreshed_at
    assert kept_lists(policy)[ann.id] == {"awaiting-submission"} and bob.id not in kept_lists(policy)

    steps = []
    check = make_dbs(ann, outcome=None)  # a new DBS check, sent off
    steps.append("check requested")
    check.issued_on, check.outcome, check.certificate_number = today - timedelta(days=3), DbsOutcome.DISCLOSED, "1"
    db.session.commit()  # a result: disclosed, so a decision is needed
    steps.append("result")
    check.decisions.append(DbsDecision(decision=Decision.APPROVED, rationale="Spent.", decided_on=today,
                                       needs_confirmation=True))
    db.session.commit()
    steps.append("decision")
    check.decisions[0].confirmation = DbsConfirmation()
    db.session.commit()
    steps.append("confirmation")
    vetting = make_nppv(ann, outcome=None)
    steps.append("police vetting sent")
    vetting.outcome, vetting.outcome_on, vetting.granted_on = NppvOutcome.GRANTED, today, today
    vetting.expires_on = today + timedelta(days=20)  # ends within 30 days
    db.session.commit()
    steps.append("granted")
    change = NppvChange(kind=ChangeKind.ADDRESS, reported_on=today)
    vetting.changes.append(change)
    db.session.commit()
    steps.append("change of circumstances")
    change.reviewed_on = today
    db.session.commit()
    steps.append("change reviewed")
    status = StatusCheck(checked_on=today, outcome=StatusOutcome.CHANGED)
    check.status_checks.append(status)
    db.session.commit()
    steps.append("status check: changed")
    db.session.delete(status)
    db.session.commit()
    steps.append("status check removed")
    cy = make_user(Role.VOLUNTEER, name="Cy Newcomer")  # a new volunteer: awaiting everything
    steps.append("new volunteer")
    kept = kept_lists(policy)
    assert kept[cy.id] == {"awaiting-submission"}
    assert kept[ann.id] == {"expiring-30"}, steps
    assert kept.get(bob.id, set()) == set()
    assert_kept_as_the_rules_say(policy, today)
    assert state().refreshed_at == rewritten_at  # all of it kept one person at a time, never rewritten


def test_each_step_is_kept_as_it_commits(app):
    """The lists after every single commit, not only at the end."""
    policy, today = current_policy(), today_london()
    ann = make_user(Role.VOLUNTEER, name="Ann Awaiting")
    services_lists.refresh(today, policy)
    check = make_dbs(ann, outcome=None)
    assert kept_lists(policy)[ann.id] == {"awaiting-result", "awaiting-submission"}  # no police vetting yet
    assert_kept_as_the_rules_say(policy, today)
    check.issued_on, check.outcome, check.certificate_number = today - timedelta(days=3), DbsOutcome.DISCLOSED, "1"
    db.session.commit()
    assert "awaiting-decision" in kept_lists(policy)[ann.id]
    assert_kept_as_the_rules_say(policy, today)
    check.decisions.append(DbsDecision(decision=Decision.APPROVED, rationale="Spent.", decided_on=today,
                                       needs_confirmation=False))
    db.session.commit()
    assert "awaiting-decision" not in kept_lists(policy)[ann.id]
    assert_kept_as_the_rules_say(policy, today)


def test_a_rolled_back_change_leaves_the_lists_as_they_were(app):
    policy, today = current_policy(), today_london()
    ann = make_user(Role.VOLUNTEER, name="Ann Awaiting")
    services_lists.refresh(today, policy)
    make_dbs(ann, commit=False)
    db.session.flush()
    db.session.rollback()
    assert kept_lists(policy)[ann.id] == {"awaiting-submission"}
    make_nppv(ann)  # the next commit is not confused by the rolled-back one
    assert_kept_as_the_rules_say(policy, today)


def test_the_page_rewrites_the_lists_on_a_new_day_and_under_a_new_policy(login_as, monkeypatch):
    import app.vetting.views

    today = today_london()
    manager = login_as("manager")
    eve = make_user(Role.VOLUNTEER, name="Eve Expiring")
    make_dbs(eve, issued_on=today.replace(year=today.year - 3) + timedelta(days=31))  # recheck due in 31 days
    make_nppv(eve, granted_on=today)
    assert "Eve Expiring" not in manager.get("/vetting?show=expiring-30").get_data(as_text=True)
    assert state().on_day == today
    monkeypatch.setattr(app.vetting.views, "today_london", lambda: today + timedelta(days=1))
    assert "Eve Expiring" in manager.get("/vetting?show=expiring-30").get_data(as_text=True)
    assert state().on_day == today + timedelta(days=1)
    # Reminders 45 days ahead instead: Eve is on the 45-day list the moment the policy says so.
    wider = replace(current_policy(), reminder_days=(45, 90))
    monkeypatch.setattr(app.vetting.views, "current_policy", lambda: wider)
    assert "Eve Expiring" in manager.get("/vetting?show=expiring-45").get_data(as_text=True)
    assert state().policy_key == services_lists.policy_key(wider)


def test_lists_marked_out_of_date_are_rewritten_by_the_next_page(login_as):
    manager = login_as("manager")
    ann = make_user(Role.VOLUNTEER, name="Ann Awaiting")
    assert "Ann Awaiting" in manager.get("/vetting?show=awaiting-submission").get_data(as_text=True)
    services_lists.forget()
    db.session.execute(WorkListEntry.__table__.delete())  # as a bulk write that bypassed the ORM might leave it
    db.session.commit()
    assert "Ann Awaiting" in manager.get("/vetting?show=awaiting-submission").get_data(as_text=True)
    assert kept_lists(current_policy())[ann.id] == {"awaiting-submission"}


def test_the_page_shows_only_the_people_staff_may_see(login_as):
    """The kept lists hold everyone; the page keeps to the coordinator's areas, active volunteers, never
    themself."""
    coordinator = login_as("coordinator", areas=["Durham"])
    make_user(Role.VOLUNTEER, name="Dee Durham", areas=["Durham"])
    make_user(Role.VOLUNTEER, name="Wyn Weardale", areas=["Weardale"])
    gone = make_user(Role.VOLUNTEER, name="Gus Gone", areas=["Durham"])
    coordinator.user.role_grants.append(UserRole(role=Role.VOLUNTEER))  # a coordinator who also volunteers
    db.session.commit()
    page = coordinator.get("/vetting?show=awaiting-submission").get_data(as_text=True)
    assert "Dee Durham" in page and "Gus Gone" in page
    assert "Wyn Weardale" not in page and coordinator.user.full_name not in page
    gone.deactivated_at = utcnow()
    db.session.commit()
    assert "Gus Gone" not in coordinator.get("/vetting?show=awaiting-submission").get_data(as_text=True)
    assert db.session.get(User, gone.id) is not None
