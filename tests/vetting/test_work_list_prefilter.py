"""The SQL prefilter never leaves out anyone the rules would put on a list (checked over many varied records)."""
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.vetting.enums import DbsOutcome, Decision, NppvOutcome, StatusOutcome
from app.vetting.models import DbsDecision, StatusCheck
from app.vetting.policy import VettingPolicy
from app.vetting.queries import may_be_listed
from app.vetting.rules_summaries import categories
from app.vetting.services import facts_for, load_records
from app.vetting.services_reminders import active_volunteers_query
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv

TODAY = date(2026, 6, 1)
POLICIES = [VettingPolicy(), replace(VettingPolicy(), recheck="update_service"),
            replace(VettingPolicy(), reminder_days=(14,), recheck_years=2, nppv_validity_years=1)]


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _varied_volunteer(rng, n: int) -> None:
    person = make_user(Role.VOLUNTEER, name=f"Person {n:03d}", commit=False)
    db.session.flush()
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        issued = _day(rng, date(2022, 2, 20), date(2026, 5, 31))
        stage = rng.choice(["requested", "submitted", "clear", "clear", "disclosed"])
        check = make_dbs(person, issued_on=issued, requested_on=issued - timedelta(days=30),
                         submitted_on=None if stage == "requested" else issued - timedelta(days=20),
                         outcome={"clear": DbsOutcome.CLEAR, "disclosed": DbsOutcome.DISCLOSED}.get(stage),
                         subscribed_on=issued + timedelta(days=5) if rng.random() < 0.5 else None,
                         consent_on=issued + timedelta(days=5), seen_on=issued + timedelta(days=5), commit=False)
        if stage == "disclosed" and rng.random() < 0.6:
            check.decisions.append(DbsDecision(decision=rng.choice(list(Decision)), rationale="x",
                                               decided_on=issued + timedelta(days=3)))
        for _ in range(rng.choice([0, 0, 1, 2])):
            checked = _day(rng, issued, date(2026, 5, 31))
            check.status_checks.append(StatusCheck(checked_on=checked, outcome=rng.choice(
                [StatusOutcome.NO_CHANGE, StatusOutcome.NO_CHANGE, StatusOutcome.CHANGED, StatusOutcome.NO_SUBSCRIPTION])))
            if rng.random() < 0.3 and not check.decisions:  # one decision per check
                check.decisions.append(DbsDecision(decision=Decision.APPROVED, rationale="x",
                                                   decided_on=checked + timedelta(days=rng.choice([0, 2]))))
    for _ in range(rng.choice([0, 1, 1, 2])):
        granted = _day(rng, date(2022, 6, 1), date(2026, 5, 31))
        make_nppv(person, granted_on=granted, submitted_on=granted - timedelta(days=40), years=rng.choice([1, 3]),
                  outcome=rng.choice([None, NppvOutcome.GRANTED, NppvOutcome.GRANTED, NppvOutcome.GRANTED,
                                      NppvOutcome.REFUSED, NppvOutcome.WITHDRAWN]), commit=False)


def _boundary_volunteers() -> None:
    """Certificates issued around the days that make them due exactly at the edge of the longest lead time."""
    horizon = TODAY + timedelta(days=90)
    edges = [date(horizon.year - 3, horizon.month, horizon.day), date(horizon.year - 1, horizon.month, horizon.day),
             date(2025, 8, 31), date(2023, 2, 28), date(2024, 2, 29)]
    for n, edge in enumerate(edges):
        for offset in range(-4, 5):
            person = make_user(Role.VOLUNTEER, name=f"Edge {n} {offset}", commit=False)
            db.session.flush()
            issued = edge + timedelta(days=offset)
            make_dbs(person, issued_on=issued, subscribed_on=issued, commit=False)
            make_nppv(person, granted_on=TODAY, commit=False)
    twin = make_user(Role.VOLUNTEER, name="Tied certificates", commit=False)
    db.session.flush()
    for _ in range(2):  # two certificates issued the same day: the later record is the current one
        make_dbs(twin, issued_on=date(2023, 6, 10), commit=False)
    make_nppv(twin, granted_on=TODAY, commit=False)


@pytest.fixture
def varied():
    rng = random.Random(20261121)
    for n in range(150):
        _varied_volunteer(rng, n)
    _boundary_volunteers()
    db.session.commit()


def test_prefilter_keeps_everyone_the_rules_would_list(varied):
    everyone = db.session.scalars(active_volunteers_query().with_only_columns(User.id)).all()
    records = load_records(everyone)
    excluded_somewhere = False
    for policy in POLICIES:
        for today in (TODAY, date(2025, 2, 28), date(2026, 2, 28), date(2027, 3, 1), date(2024, 2, 29),
                      date(2024, 11, 30), date(2026, 11, 30)):  # 90 days before 28 February
            listed = {i for i in everyone if categories(*facts_for(records.get(i, ([], []))), policy, today)}
            candidates = set(db.session.scalars(
                active_volunteers_query().with_only_columns(User.id).where(may_be_listed(policy, today))))
            assert listed <= candidates, f"{policy}, {today}: left out {sorted(listed - candidates)}"
            excluded_somewhere |= len(candidates) < len(everyone)
    assert excluded_somewhere  # it does narrow the list, or it would be pointless


def test_work_list_counts_match_the_rules_for_everyone(varied, login_as):
    coordinator = login_as("manager")  # every volunteer, whatever their areas
    from app.timefmt import today_london

    today = today_london()
    everyone = db.session.scalars(select(User.id).where(User.full_name != coordinator.user.full_name)).all()
    records = load_records(everyone)
    listed = [categories(*facts_for(records.get(i, ([], []))), VettingPolicy(), today) for i in everyone]
    page = coordinator.get("/vetting").get_data(as_text=True)
    assert f"{sum(1 for found in listed if found)} volunteers</h2>" in page
    assert f"Awaiting decision</a>: {sum('awaiting-decision' in f for f in listed)}<" in page
    assert f"Expired or no longer current</a>: {sum('expired' in f for f in listed)}<" in page
