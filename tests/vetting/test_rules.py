"""The pure vetting rules, with no request and no database: dates, preconditions, the gate."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.dates import add_months
from app.vetting import rules, rules_update_service
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvLevel, NppvOutcome, StatusOutcome, Workforce
from app.vetting.policy import VettingPolicy
from app.vetting.rules import DbsFacts, DecisionFacts, NppvFacts, StatusCheckFacts

POLICY = VettingPolicy()
UPDATE_SERVICE = replace(POLICY, recheck="update_service")


def dbs(**kw) -> DbsFacts:
    values = dict(id=1, level=DbsLevel.ENHANCED, workforce=Workforce.ADULT, requested_on=date(2024, 1, 2),
                  submitted_on=date(2024, 1, 3), issued_on=date(2024, 3, 1), outcome=DbsOutcome.CLEAR)
    return DbsFacts(**(values | kw))


def nppv(**kw) -> NppvFacts:
    values = dict(id=1, level=NppvLevel.NPPV2_ABBREVIATED, submitted_on=date(2024, 1, 3),
                  outcome=NppvOutcome.GRANTED, granted_on=date(2024, 6, 1), outcome_on=date(2024, 6, 1),
                  expires_on=date(2027, 6, 1))
    return NppvFacts(**(values | kw))


# ---------------------------------------------------------------- certificate numbers


@pytest.mark.parametrize("typed,expected", [
    ("001234567890", "001234567890"),
    ("0012 3456 7890", "001234567890"),
    (" 001234567890 ", "001234567890"),
    ("0012-3456-7890", "001234567890"),
    ("00123456789", None),        # 11 digits
    ("0012345678901", None),      # 13 digits
    ("00123456789O", None),       # a letter O, not a zero
    ("", None),
    ("１２３４５６７８９０１２", None),  # full-width digits are not accepted
    ("12345678901a", None),
    (None, None),
])
def test_certificate_number_must_be_exactly_12_digits(typed, expected):
    assert rules.normalise_certificate_number(typed) == expected


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("issued,due", [
    (date(2024, 3, 1), date(2027, 3, 1)),    # exactly three years
    (date(2024, 2, 29), date(2027, 2, 28)),  # leap day: the cautious choice, never past three years
    (date(2023, 2, 28), date(2026, 2, 28)),
    (date(2025, 2, 28), date(2028, 2, 28)),  # lands in a leap year but 28 Feb stays 28 Feb
    (date(2024, 12, 31), date(2027, 12, 31)),
])
def test_recheck_date_is_three_years_from_issue(issued, due):
    assert rules.recheck_due(issued, POLICY) == due


def test_leap_day_certificate_over_four_years_lands_on_the_leap_day():
    assert rules.recheck_due(date(2024, 2, 29), replace(POLICY, recheck_years=4)) == date(2028, 2, 29)


def test_gate_at_exactly_three_years():
    """Good on the day before the third anniversary; due (and failing) on the anniversary itself."""
    checks, police = [dbs(issued_on=date(2024, 3, 1))], [nppv(expires_on=date(2030, 1, 1))]
    day_before = rules.evaluate_gate(checks, police, POLICY, date(2027, 2, 28))
    assert day_before.ok and day_before.until == date(2027, 2, 28)
    on_the_day = rules.evaluate_gate(checks, police, POLICY, date(2027, 3, 1))
    assert not on_the_day.ok
    assert on_the_day.reasons == ["The DBS recheck was due on 1 March 2027"]


def test_gate_for_a_leap_day_certificate():
    checks, police = [dbs(issued_on=date(2024, 2, 29))], [nppv(expires_on=date(2030, 1, 1))]
    assert rules.evaluate_gate(checks, police, POLICY, date(2027, 2, 27)).until == date(2027, 2, 27)
    assert not rules.evaluate_gate(checks, police, POLICY, date(2027, 2, 28)).ok


@pytest.mark.parametrize("start,months,end", [
    (date(2026, 1, 15), 6, date(2026, 7, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2026, 10, 31), 4, date(2027, 2, 28)),
    (date(2026, 12, 1), 12, date(2027, 12, 1)),
    (date(2026, 5, 31), 1, date(2026, 6, 30)),
])
def test_add_months_clamps_to_month_end(start, months, end):
    assert add_months(start, months) == end


def test_nppv_expiry_follows_the_policy_validity():
    assert rules.nppv_expiry(date(2026, 4, 1), POLICY) == date(2029, 4, 1)
    assert rules.nppv_expiry(date(2026, 4, 1), replace(POLICY, nppv_validity_years=5)) == date(2031, 4, 1)
    assert rules.nppv_expiry(date(2024, 2, 29), POLICY) == date(2027, 2, 28)


def test_disclosure_note_purge_date_is_six_months_after_the_decision():
    assert rules.note_purge_due(date(2026, 1, 10), POLICY) == date(2026, 7, 10)
    assert rules.note_purge_due(date(2025, 8, 31), POLICY) == date(2026, 2, 28)


# ---------------------------------------------------------------- reminder lead times


@pytest.mark.parametrize("days_left,lead", [
    (120, None), (91, None), (90, 90), (61, 90), (60, 60), (31, 60), (30, 30), (1, 30), (0, 30), (-1, None),
])
def test_reminder_lead_is_the_smallest_reached(days_left, lead):
    today = date(2026, 6, 1)
    assert rules.reminder_lead(today + timedelta(days=days_left), today, (90, 60, 30)) == lead


# ---------------------------------------------------------------- Update Service preconditions


def ready(**kw) -> DbsFacts:
    return dbs(subscribed_on=date(2024, 3, 5), consent_on=date(2024, 3, 6), original_seen_on=date(2024, 3, 6), **kw)


def test_status_check_allowed_when_everything_is_recorded():
    assert rules_update_service.status_check_problems(ready(), POLICY) == []


@pytest.mark.parametrize("change,problem", [
    ({"consent_on": None}, "Record the volunteer's consent to status checks"),
    ({"original_seen_on": None}, "Record who saw the original certificate in person"),
    ({"subscribed_on": None}, "The volunteer is not subscribed to the DBS Update Service"),
    ({"level": DbsLevel.STANDARD}, "The certificate is Standard; status checks must be for the same level as the role (Enhanced)"),
    ({"level": DbsLevel.ENHANCED_BARRED}, "The certificate is Enhanced with barred lists; status checks must be for the same level as the role (Enhanced)"),
    ({"workforce": Workforce.CHILD}, "The certificate is for the child workforce; the role is in the adult workforce"),
    ({"outcome": None, "issued_on": None}, "Record the certificate first"),
])
def test_status_check_refused_without_each_precondition(change, problem):
    assert rules_update_service.status_check_problems(replace(ready(), **change), POLICY) == [problem]


def test_status_check_refused_after_a_lapsed_subscription():
    lapsed = replace(ready(), status_checks=(StatusCheckFacts(date(2025, 3, 1), StatusOutcome.NO_SUBSCRIPTION),))
    assert rules_update_service.status_check_problems(lapsed, POLICY) == ["The volunteer is not subscribed to the DBS Update Service"]
    resubscribed = replace(lapsed, subscribed_on=date(2025, 3, 10))
    assert rules_update_service.status_check_problems(resubscribed, POLICY) == []


# ---------------------------------------------------------------- the gate


GOOD_NPPV = [nppv(expires_on=date(2030, 1, 1))]


def test_gate_good_until_the_earlier_end():
    result = rules.evaluate_gate([dbs()], [nppv()], POLICY, date(2025, 1, 1))
    assert result.ok and result.reasons == [] and result.until == date(2027, 2, 28)  # DBS recheck 1 Mar 2027


def test_gate_with_nothing_recorded():
    result = rules.evaluate_gate([], [], POLICY, date(2025, 1, 1))
    assert not result.ok and result.until is None
    assert result.reasons == ["No DBS check has been started", "No police vetting has been started"]


@pytest.mark.parametrize("check,reason", [
    (dbs(submitted_on=None, outcome=None, issued_on=None), "The DBS application has not been submitted yet"),
    (dbs(outcome=None, issued_on=None), "Waiting for the DBS certificate"),
    (dbs(outcome=DbsOutcome.DISCLOSED), "The DBS certificate shows information: a risk-assessed decision is needed"),
    (dbs(level=DbsLevel.STANDARD), "The DBS check is Standard; the scheme needs Enhanced"),
    (dbs(workforce=Workforce.CHILD), "The DBS check is for the child workforce; the scheme needs the adult workforce"),
])
def test_gate_dbs_reasons(check, reason):
    result = rules.evaluate_gate([check], GOOD_NPPV, POLICY, date(2025, 1, 1))
    assert not result.ok and result.reasons == [reason]


def test_disclosure_approved_passes_and_declined_fails():
    approved = dbs(outcome=DbsOutcome.DISCLOSED, decisions=(DecisionFacts(Decision.APPROVED, date(2024, 3, 10)),))
    assert rules.evaluate_gate([approved], GOOD_NPPV, POLICY, date(2025, 1, 1)).ok
    declined = replace(approved, decisions=(DecisionFacts(Decision.DECLINED, date(2024, 3, 10)),))
    result = rules.evaluate_gate([declined], GOOD_NPPV, POLICY, date(2025, 1, 1))
    assert result.reasons == ["The risk-assessed decision on 10 March 2024 was to decline"]


def test_changed_status_ends_the_certificate_and_no_decision_brings_it_back():
    """The organisation cannot see what changed: only a new DBS check (certificate and decision) passes again."""
    changed = replace(ready(), status_checks=(StatusCheckFacts(date(2025, 2, 1), StatusOutcome.CHANGED),))
    result = rules.evaluate_gate([changed], GOOD_NPPV, UPDATE_SERVICE, date(2025, 2, 2))
    assert not result.ok and result.until is None
    assert result.reasons == ["The Update Service status check on 1 February 2025 showed new information, so this "
                              "certificate is no longer current: a new DBS check is needed"]
    assert not changed.needs_decision  # nothing to decide on this certificate any more
    approved_after = replace(changed, decisions=(DecisionFacts(Decision.APPROVED, date(2025, 2, 4)),))
    assert not rules.evaluate_gate([approved_after], GOOD_NPPV, UPDATE_SERVICE, date(2025, 2, 5)).ok
    new_check = replace(ready(), id=2, issued_on=date(2025, 2, 20), requested_on=date(2025, 2, 3))
    assert rules.evaluate_gate([changed, new_check], GOOD_NPPV, UPDATE_SERVICE, date(2025, 2, 21)).ok


def test_a_lapsed_subscription_falls_back_to_the_recheck_period():
    lapsed = replace(ready(), status_checks=(StatusCheckFacts(date(2025, 2, 1), StatusOutcome.NO_SUBSCRIPTION),))
    assert lapsed.flag is None and not lapsed.subscribed
    result = rules.evaluate_gate([lapsed], GOOD_NPPV, UPDATE_SERVICE, date(2025, 2, 2))
    assert result.ok and result.until == rules.recheck_due(lapsed.issued_on, UPDATE_SERVICE) - timedelta(days=1)


def test_changed_status_fails_the_gate_under_the_recheck_period_too():
    changed = replace(ready(), status_checks=(StatusCheckFacts(date(2025, 6, 1), StatusOutcome.CHANGED),))
    assert not rules.evaluate_gate([changed], GOOD_NPPV, POLICY, date(2025, 6, 2)).ok


def test_later_no_change_does_not_clear_a_changed_status():
    checks = (StatusCheckFacts(date(2025, 2, 1), StatusOutcome.CHANGED), StatusCheckFacts(date(2025, 2, 10), StatusOutcome.NO_CHANGE))
    assert not rules.evaluate_gate([replace(ready(), status_checks=checks)], GOOD_NPPV, UPDATE_SERVICE, date(2025, 2, 11)).ok


def test_update_service_mode_needs_a_status_check_every_year():
    subscribed = ready()
    assert rules.next_status_check(subscribed, UPDATE_SERVICE) == date(2025, 3, 1)
    assert rules.evaluate_gate([subscribed], GOOD_NPPV, UPDATE_SERVICE, date(2025, 2, 28)).until == date(2025, 2, 28)
    overdue = rules.evaluate_gate([subscribed], GOOD_NPPV, UPDATE_SERVICE, date(2025, 3, 1))
    assert overdue.reasons == ["The Update Service status check was due on 1 March 2025"]
    checked = replace(subscribed, status_checks=(StatusCheckFacts(date(2025, 2, 20), StatusOutcome.NO_CHANGE),))
    assert rules.evaluate_gate([checked], GOOD_NPPV, UPDATE_SERVICE, date(2025, 3, 1)).until == date(2026, 2, 19)
    # A certificate whose holder is not subscribed falls back to the recheck period.
    assert rules.next_status_check(dbs(), UPDATE_SERVICE) is None
    assert rules.next_status_check(subscribed, POLICY) is None


def test_a_recheck_in_progress_does_not_replace_the_certificate_in_hand():
    old = dbs(id=1, issued_on=date(2024, 3, 1))
    pending = dbs(id=2, requested_on=date(2027, 1, 5), submitted_on=None, outcome=None, issued_on=None)
    assert rules.current_dbs([old, pending]) == old
    assert rules.evaluate_gate([old, pending], GOOD_NPPV, POLICY, date(2027, 1, 6)).ok
    new = dbs(id=3, issued_on=date(2027, 2, 1))
    assert rules.current_dbs([old, new]) == new
    assert rules.evaluate_gate([old, new], GOOD_NPPV, POLICY, date(2027, 3, 2)).ok


@pytest.mark.parametrize("records,reason", [
    ([nppv(outcome=None, granted_on=None, expires_on=None, outcome_on=None)], "Waiting for the police vetting result"),
    ([nppv(outcome=NppvOutcome.REFUSED, granted_on=None, expires_on=None)], "Police vetting was refused"),
    ([nppv(outcome=NppvOutcome.WITHDRAWN, outcome_on=date(2024, 9, 1))], "Police vetting was withdrawn on 1 September 2024"),
    ([nppv(level=NppvLevel.NPPV1)], "Police vetting is NPPV1 (premises); the scheme needs NPPV2 (abbreviated)"),
    ([nppv(expires_on=date(2024, 12, 31))], "Police vetting expired on 31 December 2024"),
])
def test_gate_police_reasons(records, reason):
    result = rules.evaluate_gate([dbs()], records, POLICY, date(2025, 1, 1))
    assert not result.ok and result.reasons == [reason]


def test_police_vetting_good_until_the_day_before_expiry():
    result = rules.nppv_gate([nppv(expires_on=date(2027, 6, 1))], POLICY, date(2027, 5, 31))
    assert result.ok and result.until == date(2027, 5, 31)
    assert not rules.nppv_gate([nppv(expires_on=date(2027, 6, 1))], POLICY, date(2027, 6, 1)).ok


def test_a_higher_nppv_level_satisfies_a_lower_requirement():
    assert rules.nppv_gate([nppv(level=NppvLevel.NPPV3)], POLICY, date(2025, 1, 1)).ok
    assert rules.dbs_gate([dbs(level=DbsLevel.ENHANCED_BARRED)], POLICY, date(2025, 1, 1)).ok


