"""The work lists in SQL (queries_lists) put every person on exactly the lists the rules (`categories`) do.

Checked over many varied records (each stage of a DBS check and police vetting, decisions needing a manager's
confirmation or not, status checks of every outcome, subscriptions lapsed, renewed or withdrawn, changes of
circumstances, wrong levels and workforces) and over certificates dated at the edges of every list, for several
policies and days (month ends, 29 February). Run on PostgreSQL too (TEST_DATABASE_URL).
"""
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role, User, UserRole
from app.dates import add_months, add_years, last_day_before
from app.extensions import db
from app.vetting.enums import (
    ChangeKind,
    DbsLevel,
    DbsOutcome,
    Decision,
    JoinRoute,
    NppvLevel,
    NppvOutcome,
    StatusOutcome,
    Workforce,
)
from app.vetting.models import DbsConfirmation, DbsDecision, NppvChange, StatusCheck
from app.vetting.policy import VettingPolicy
from app.vetting.queries_lists import listed
from app.vetting.rules_summaries import categories, category_labels
from app.vetting.services import facts_for, load_records
from app.vetting.services_reminders import active_volunteers_query
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv

TODAY = date(2026, 6, 1)
UPDATE_SERVICE = replace(VettingPolicy(), recheck="update_service")
POLICIES = [VettingPolicy(), UPDATE_SERVICE,
            replace(UPDATE_SERVICE, status_check_months=6, reminder_days=(14, 45), confirm_disclosed_approvals=False),
            replace(VettingPolicy(), reminder_days=(14,), recheck_years=2, nppv_validity_years=1,
                    dbs_level=DbsLevel.STANDARD, dbs_workforce=Workforce.CHILD, nppv_level=NppvLevel.NPPV3)]
DAYS = [TODAY, date(2025, 2, 28), date(2026, 2, 28), date(2027, 3, 1), date(2024, 2, 29), date(2024, 11, 30),
        date(2026, 11, 30), date(2026, 8, 31)]


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _maybe(rng, value, chance=0.5):
    return value if rng.random() < chance else None


def _varied_check(rng, person) -> None:
    issued = _day(rng, date(2022, 2, 20), date(2026, 5, 31))
    stage = rng.choice(["requested", "submitted", "clear", "clear", "disclosed", "disclosed"])
    subscribed = _maybe(rng, issued + timedelta(days=rng.choice([0, 5, 30])))
    check = make_dbs(person, issued_on=issued, requested_on=issued - timedelta(days=rng.choice([30, 400])),
                     submitted_on=None if stage == "requested" else issued - timedelta(days=20),
                     outcome={"clear": DbsOutcome.CLEAR, "disclosed": DbsOutcome.DISCLOSED}.get(stage),
                     level=rng.choice([DbsLevel.ENHANCED, DbsLevel.ENHANCED, DbsLevel.STANDARD, DbsLevel.ENHANCED_BARRED]),
                     workforce=rng.choice([Workforce.ADULT, Workforce.ADULT, Workforce.CHILD_AND_ADULT, Workforce.CHILD,
                                           Workforce.OTHER]),
                     subscribed_on=subscribed, consent_on=issued + timedelta(days=5), seen_on=issued + timedelta(days=5),
                     commit=False)
    if subscribed is not None:
        check.join_route = JoinRoute.CERTIFICATE
        check.renews_on = _maybe(rng, add_years(subscribed, rng.choice([1, 2])) + timedelta(days=rng.choice([-1, 0, 1])))
        check.consent_withdrawn_on = _maybe(rng, _day(rng, issued + timedelta(days=6), date(2027, 6, 1)), 0.2)
    if stage in ("clear", "disclosed") and rng.random() < 0.7:
        decided = issued + timedelta(days=3)
        confirm = rng.random() < 0.5
        decision = DbsDecision(decision=rng.choice([Decision.APPROVED, Decision.APPROVED, Decision.DECLINED]),
                               rationale="x", decided_on=decided, needs_confirmation=confirm)
        if confirm and rng.random() < 0.5:
            decision.confirmation = DbsConfirmation()
        check.decisions.append(decision)
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        checked = _day(rng, issued, date(2026, 5, 31))
        check.status_checks.append(StatusCheck(checked_on=checked, outcome=rng.choice(
            [StatusOutcome.NO_CHANGE, StatusOutcome.NO_CHANGE, StatusOutcome.CHANGED, StatusOutcome.NO_SUBSCRIPTION])))


def _varied_nppv(rng, person) -> None:
    granted = _day(rng, date(2022, 6, 1), date(2026, 5, 31))
    record = make_nppv(person, granted_on=granted, submitted_on=granted - timedelta(days=rng.choice([0, 40])),
                       years=rng.choice([1, 3]),
                       level=rng.choice([NppvLevel.NPPV2_ABBREVIATED, NppvLevel.NPPV1, NppvLevel.NPPV3]),
                       outcome=rng.choice([None, NppvOutcome.GRANTED, NppvOutcome.GRANTED, NppvOutcome.GRANTED,
                                           NppvOutcome.REFUSED, NppvOutcome.WITHDRAWN]), commit=False)
    if record.outcome is not None and rng.random() < 0.3:
        record.outcome_on = None  # ranked by the date submitted instead
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        reported = _day(rng, granted, date(2026, 12, 31))
        record.changes.append(NppvChange(kind=ChangeKind.ADDRESS, reported_on=reported,
                                         reviewed_on=_maybe(rng, reported + timedelta(days=10))))


def _varied_volunteer(rng, n: int) -> None:
    person = make_user(Role.VOLUNTEER, name=f"Person {n:03d}", commit=False)
    db.session.flush()
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        _varied_check(rng, person)
    for _ in range(rng.choice([0, 1, 1, 2])):
        _varied_nppv(rng, person)


def _edges(policy: VettingPolicy, day: date) -> list[date]:
    """Issue dates whose recheck or status check falls on each list's first and last day (and either side)."""
    ends = [day + timedelta(days=d) for lead in (0, *policy.reminder_days) for d in (lead, lead + 1)]
    found = set()
    for end in ends:
        for back in (lambda d: add_years(d, -policy.recheck_years), lambda d: add_months(d, -policy.status_check_months)):
            found |= {back(end) + timedelta(days=offset) for offset in (-1, 0, 1)}
    return sorted(found)


def _boundary_volunteers() -> None:
    """Certificates and clearances dated at the edges of every list, for every policy and day tested."""
    issued = sorted({edge for policy in POLICIES for day in DAYS for edge in _edges(policy, day)}
                    | {date(2024, 2, 29), date(2023, 2, 28), date(2025, 8, 31)})
    for n, day in enumerate(issued):
        person = make_user(Role.VOLUNTEER, name=f"Edge {n:04d}", commit=False)
        db.session.flush()
        make_dbs(person, issued_on=day, subscribed_on=day if n % 2 else None, commit=False)
        make_nppv(person, granted_on=add_years(day, -1) if n % 3 else TODAY, years=3, commit=False)
    twin = make_user(Role.VOLUNTEER, name="Tied certificates", commit=False)
    db.session.flush()
    make_dbs(twin, issued_on=date(2023, 6, 10), outcome=DbsOutcome.DISCLOSED, commit=False)
    make_dbs(twin, issued_on=date(2023, 6, 10), commit=False)  # the same day: the later record is current
    make_nppv(twin, granted_on=TODAY, commit=False)
    make_user(Role.VOLUNTEER, name="Nothing yet", commit=False)


@pytest.fixture
def varied():
    rng = random.Random(20261202)
    for n in range(250):
        _varied_volunteer(rng, n)
    _boundary_volunteers()
    db.session.commit()


def _people():
    return active_volunteers_query().with_only_columns(User.id).order_by(None)


def test_sql_puts_everyone_on_the_lists_the_rules_do(varied):
    everyone = db.session.scalars(_people()).all()
    records = load_records(everyone)
    seen = set()
    volunteers = select(UserRole.user_id).where(UserRole.role == Role.VOLUNTEER)
    narrowed = {"among": volunteers, "within": lambda person_id: person_id.in_(volunteers)}  # as the page narrows
    for n, policy in enumerate(POLICIES):
        for m, today in enumerate(DAYS):
            lists = listed(_people(), policy, today, **(narrowed if (n + m) % 2 else {}))
            in_sql = {row.person_id: {key for key, name in lists.columns.items() if row._mapping[name] == 1}
                      for row in db.session.execute(select(lists.table))}
            by_rules = {i: categories(*facts_for(records.get(i, ([], []))), policy, today) for i in everyone}
            wrong = {i: (in_sql.get(i, set()), by_rules[i]) for i in everyone if in_sql.get(i, set()) != by_rules[i]}
            assert not wrong, f"{policy}, {today}: (SQL, rules) differ for {len(wrong)}: {list(wrong.items())[:5]}"
            seen |= {key for found in by_rules.values() for key in found}
    assert seen >= set(category_labels(VettingPolicy())) | {"status-check-due"}  # every list was tried


def test_last_day_before_is_exact_at_month_ends_and_leap_days():
    three_years = lambda d: add_years(d, 3)  # noqa: E731
    assert last_day_before(three_years, date(2027, 2, 28)) == date(2024, 2, 29)
    assert last_day_before(three_years, date(2027, 3, 1)) == date(2024, 3, 1)
    six_months = lambda d: add_months(d, 6)  # noqa: E731
    assert last_day_before(six_months, date(2027, 2, 28)) == date(2026, 8, 31)
    for target in (date(2026, 1, 1) + timedelta(days=n) for n in range(0, 800, 7)):
        for add in (three_years, six_months, lambda d: add_months(d, 12)):
            day = last_day_before(add, target)
            assert add(day) <= target < add(day + timedelta(days=1))


def test_work_list_counts_match_the_rules_for_everyone(varied, login_as):
    coordinator = login_as("manager")  # every volunteer, whatever their areas
    from app.timefmt import today_london

    today = today_london()
    everyone = db.session.scalars(select(User.id).where(User.full_name != coordinator.user.full_name)).all()
    records = load_records(everyone)
    listed_by_rules = [categories(*facts_for(records.get(i, ([], []))), VettingPolicy(), today) for i in everyone]
    page = coordinator.get("/vetting").get_data(as_text=True)
    assert f"{sum(1 for found in listed_by_rules if found)} volunteers</h2>" in page
    assert f"Awaiting decision</a>: {sum('awaiting-decision' in f for f in listed_by_rules)}<" in page
    assert f"Expired or no longer current</a>: {sum('expired' in f for f in listed_by_rules)}<" in page
    page = coordinator.get("/vetting?show=wrong-check").get_data(as_text=True)
    assert f"{sum('wrong-check' in f for f in listed_by_rules)} volunteers</h2>" in page
