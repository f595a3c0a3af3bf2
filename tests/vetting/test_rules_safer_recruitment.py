"""Safer recruitment rules at their boundaries: workforce and like for like, the Update Service's facts,
eligibility for the level asked, identity routes, and the manager's confirmation of a disclosed approval."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.vetting import rules, rules_update_service
from app.vetting.enums import (
    DbsLevel,
    DbsOutcome,
    Decision,
    IdDocument,
    IdRoute,
    JoinRoute,
    NppvLevel,
    NppvOutcome,
    StatusOutcome,
    Workforce,
)
from app.vetting.rules import DecisionFacts, StatusCheckFacts
from app.vetting.rules_identity import identity_problems
from app.vetting.rules_summaries import WRONG_CHECK, categories, dbs_step
from tests.vetting.test_rules import POLICY, UPDATE_SERVICE, dbs, nppv

ISSUED = date(2024, 3, 1)
GOOD_NPPV = [nppv(expires_on=date(2030, 1, 1))]


def subscribed(**kw):
    """A certificate joined to the Update Service with consent and the original seen, ready for status checks."""
    values = dict(join_route=JoinRoute.CERTIFICATE, subscribed_on=ISSUED + timedelta(days=2),
                  consent_on=ISSUED + timedelta(days=3), original_seen_on=ISSUED + timedelta(days=3))
    return dbs(**(values | kw))


# ---------------------------------------------------------------- workforce and like for like


@pytest.mark.parametrize("held,required,covers", [
    (Workforce.CHILD_AND_ADULT, Workforce.ADULT, True),
    (Workforce.CHILD_AND_ADULT, Workforce.CHILD, True),
    (Workforce.CHILD_AND_ADULT, Workforce.CHILD_AND_ADULT, True),
    (Workforce.ADULT, Workforce.ADULT, True),
    (Workforce.ADULT, Workforce.CHILD_AND_ADULT, False),
    (Workforce.CHILD, Workforce.ADULT, False),
    (Workforce.ADULT, Workforce.CHILD, False),
    (Workforce.OTHER, Workforce.ADULT, False),
])
def test_workforce_cover(held, required, covers):
    assert held.covers(required) is covers


def test_a_child_and_adult_check_passes_an_adult_requirement():
    gate = rules.dbs_gate([dbs(workforce=Workforce.CHILD_AND_ADULT)], POLICY, ISSUED)
    assert gate.ok
    needs_both = replace(POLICY, dbs_workforce=Workforce.CHILD_AND_ADULT)
    assert not rules.dbs_gate([dbs(workforce=Workforce.ADULT)], needs_both, ISSUED).ok


def test_status_check_reuse_is_like_for_like_on_the_level():
    barred = subscribed(level=DbsLevel.ENHANCED_BARRED)
    # Enough for the gate (a higher level) ...
    assert rules.dbs_gate([barred], POLICY, ISSUED + timedelta(days=10)).ok
    # ... but not for an Update Service status check, which must be at the role's level.
    problems = rules_update_service.status_check_problems(barred, UPDATE_SERVICE, ISSUED + timedelta(days=10))
    assert problems == ["The certificate is Enhanced with barred lists; status checks must be for the same level "
                        "as the role (Enhanced)"]
    assert rules_update_service.status_check_problems(subscribed(workforce=Workforce.CHILD_AND_ADULT), UPDATE_SERVICE,
                                       ISSUED + timedelta(days=10)) == []
    assert "the role is in the adult workforce" in rules_update_service.status_check_problems(
        subscribed(workforce=Workforce.CHILD), UPDATE_SERVICE)[0]


@pytest.mark.parametrize("level,workforce,refused", [
    (DbsLevel.ENHANCED, Workforce.ADULT, []),
    (DbsLevel.STANDARD, Workforce.ADULT, []),
    (DbsLevel.ENHANCED_BARRED, Workforce.ADULT, ["offence"]),
    (DbsLevel.ENHANCED, Workforce.CHILD_AND_ADULT, ["cannot be requested"]),
    (DbsLevel.ENHANCED_BARRED, Workforce.CHILD, ["offence", "cannot be requested"]),
])
def test_no_request_above_what_the_role_is_eligible_for(level, workforce, refused):
    problems = rules_update_service.request_problems(level, workforce, POLICY)
    assert len(problems) == len(refused) and all(word in p for word, p in zip(refused, problems, strict=True))


# ---------------------------------------------------------------- wrong level: a list and the real reason


def test_a_wrong_level_volunteer_is_on_a_list_and_told_why():
    today = date(2026, 12, 1)
    basic_child = dbs(level=DbsLevel.BASIC, workforce=Workforce.CHILD, issued_on=today - timedelta(days=11))
    premises_only = [nppv(level=NppvLevel.NPPV1, expires_on=date(2029, 1, 1))]
    assert WRONG_CHECK in categories([basic_child], premises_only, POLICY, today)
    assert WRONG_CHECK in categories([dbs(issued_on=today)], premises_only, POLICY, today)  # NPPV level alone
    assert WRONG_CHECK not in categories([dbs(issued_on=today)], GOOD_NPPV, POLICY, today)
    step = dbs_step([basic_child], POLICY, today)
    assert step.tag == "New check needed"
    assert "is a basic check for the child workforce" in step.text
    assert "needs an enhanced check for the adult workforce" in step.text
    assert "not about anything on your certificate" in step.text and "renewing" not in step.text


def test_every_volunteer_who_is_not_cleared_is_on_some_list():
    today = date(2026, 12, 1)
    cases = [
        [dbs(level=DbsLevel.BASIC, issued_on=today)],
        [dbs(workforce=Workforce.OTHER, issued_on=today)],
        [dbs(outcome=DbsOutcome.DISCLOSED, issued_on=today,
             decisions=(DecisionFacts(Decision.APPROVED, today, needs_confirmation=True),))],
        [dbs(issued_on=today, status_checks=(StatusCheckFacts(today, StatusOutcome.CHANGED),))],
        [dbs(issued_on=date(2023, 12, 1))],
    ]
    for checks in cases:
        assert not rules.evaluate_gate(checks, GOOD_NPPV, POLICY, today).ok
        assert categories(checks, GOOD_NPPV, POLICY, today), checks
    good_dbs = [dbs(issued_on=today)]
    for police in ([nppv(outcome=NppvOutcome.REFUSED)], [nppv(outcome=NppvOutcome.WITHDRAWN)],
                   [nppv(expires_on=date(2030, 1, 1), open_changes=(today,))]):
        assert not rules.evaluate_gate(good_dbs, police, POLICY, today).ok
        assert categories(good_dbs, police, POLICY, today), police


# ---------------------------------------------------------------- the Update Service join window


@pytest.mark.parametrize("route,days,ok", [
    (JoinRoute.CERTIFICATE, 0, True),
    (JoinRoute.CERTIFICATE, 30, True),    # the last day
    (JoinRoute.CERTIFICATE, 31, False),
    (JoinRoute.CERTIFICATE, -1, False),   # before the certificate existed
    (JoinRoute.APPLICATION, 28, True),    # the last day, counted from the application
    (JoinRoute.APPLICATION, 29, False),
    (JoinRoute.APPLICATION, -1, False),
])
def test_join_window(route, days, ok):
    start = ISSUED if route == JoinRoute.CERTIFICATE else date(2024, 1, 3)  # issue date, or the date applied
    problem = rules_update_service.join_window_problem(route, start + timedelta(days=days), ISSUED, date(2024, 1, 3))
    assert (problem is None) is ok


def test_join_route_must_be_given_with_a_subscription():
    assert rules_update_service.join_window_problem(None, ISSUED, ISSUED, ISSUED) == "Select how they joined the Update Service"
    assert rules_update_service.update_service_problems(subscribed(join_route=None)) == {
        "join_route": "Select how they joined the Update Service"}
    assert rules_update_service.join_window_problem(None, None, ISSUED, ISSUED) is None


def test_late_join_message_names_the_last_day():
    problem = rules_update_service.join_window_problem(JoinRoute.CERTIFICATE, date(2024, 4, 1), ISSUED, None)
    assert "within 30 days of the certificate's date of issue, by 31 March 2024" in problem


# ---------------------------------------------------------------- renewal and lapse


def test_a_subscription_lapses_on_its_renewal_date():
    check = subscribed()  # joined 3 March 2024, no renewal date kept: a year after joining
    assert check.renewal_date == date(2025, 3, 3)
    assert check.subscribed_on_day(date(2025, 3, 2)) and not check.subscribed_on_day(date(2025, 3, 3))
    renewed = subscribed(renews_on=date(2026, 3, 3))
    assert renewed.subscribed_on_day(date(2026, 3, 2)) and not renewed.subscribed_on_day(date(2026, 3, 3))


def test_a_lapse_ends_status_checks_and_falls_back_to_the_recheck_period():
    check = subscribed(renews_on=date(2024, 12, 1),
                       status_checks=(StatusCheckFacts(date(2024, 11, 1), StatusOutcome.NO_CHANGE),))
    assert rules.next_status_check(check, UPDATE_SERVICE, date(2024, 11, 30)) == date(2025, 11, 1)
    assert rules.next_status_check(check, UPDATE_SERVICE, date(2024, 12, 1)) is None
    assert rules.dbs_cover_ends(check, UPDATE_SERVICE, date(2024, 12, 1)) == date(2027, 3, 1)
    assert "The subscription was not active on 1 December 2024" in " ".join(
        rules_update_service.status_check_problems(check, UPDATE_SERVICE, date(2024, 12, 1)))
    assert rules_update_service.status_check_problems(check, UPDATE_SERVICE, date(2024, 11, 30)) == []


def test_renewal_date_must_follow_joining():
    assert rules_update_service.update_service_problems(subscribed(renews_on=ISSUED + timedelta(days=2))) == {
        "renews_on": "Renewal date must be after the date they joined"}


# ---------------------------------------------------------------- consent and sighting before the check


def test_consent_after_the_check_is_refused_and_on_the_day_is_not():
    day = date(2024, 6, 1)
    assert rules_update_service.status_check_problems(subscribed(consent_on=day), UPDATE_SERVICE, day) == []
    assert rules_update_service.status_check_problems(subscribed(consent_on=day + timedelta(days=1)), UPDATE_SERVICE, day) == [
        "Consent was given on 2 June 2024, after the date of the status check"]
    assert rules_update_service.status_check_problems(subscribed(original_seen_on=day + timedelta(days=1)), UPDATE_SERVICE, day) == [
        "The original certificate was seen on 2 June 2024, after the date of the status check"]


def test_consent_and_sighting_cannot_be_moved_after_a_check_already_made():
    checked = (StatusCheckFacts(date(2024, 6, 1), StatusOutcome.NO_CHANGE),)
    problems = rules_update_service.update_service_problems(subscribed(consent_on=date(2024, 6, 2), original_seen_on=date(2024, 6, 2),
                                                        status_checks=checked))
    assert set(problems) == {"consent_on", "original_seen_on"}
    assert "first status check (1 June 2024)" in problems["consent_on"]


def test_no_status_check_on_or_after_consent_is_withdrawn():
    check = subscribed(consent_withdrawn_on=date(2024, 6, 1))
    assert "withdrew consent on 1 June 2024" in rules_update_service.status_check_problems(check, UPDATE_SERVICE, date(2024, 6, 1))[0]
    assert rules_update_service.status_check_problems(check, UPDATE_SERVICE, date(2024, 5, 31)) == []
    assert rules.next_status_check(check, UPDATE_SERVICE, date(2024, 6, 1)) is None
    assert rules_update_service.update_service_problems(check) == {}
    assert "consent_withdrawn_on" in rules_update_service.update_service_problems(
        subscribed(consent_withdrawn_on=ISSUED))  # before consent was given
    late = subscribed(consent_withdrawn_on=date(2024, 6, 1),
                      status_checks=(StatusCheckFacts(date(2024, 6, 1), StatusOutcome.NO_CHANGE),))
    assert "after the last status check" in rules_update_service.update_service_problems(late)["consent_withdrawn_on"]


def test_a_status_check_needs_an_identity_check():
    assert rules_update_service.status_check_problems(subscribed(), UPDATE_SERVICE, identity_checked=False) == [
        "Record the volunteer's identity check first"]


# ---------------------------------------------------------------- a manager's confirmation


def _approved(**kw):
    decision = DecisionFacts(Decision.APPROVED, ISSUED, **kw)
    return [dbs(outcome=DbsOutcome.DISCLOSED, decisions=(decision,))]


def test_a_disclosed_approval_waits_for_a_manager():
    waiting = rules.dbs_gate(_approved(needs_confirmation=True), POLICY, ISSUED)
    assert waiting.reasons == ["The approval is waiting for a manager to confirm it"]
    assert rules.dbs_gate(_approved(needs_confirmation=True, confirmed=True), POLICY, ISSUED).ok
    assert rules.dbs_gate(_approved(), POLICY, ISSUED).ok  # decided before confirmations were asked for
    assert rules.dbs_gate(_approved(needs_confirmation=True),
                          replace(POLICY, confirm_disclosed_approvals=False), ISSUED).ok


def test_a_changed_status_still_cannot_be_approved_away_even_when_confirmed():
    check = dbs(outcome=DbsOutcome.DISCLOSED, status_checks=(StatusCheckFacts(ISSUED, StatusOutcome.CHANGED),),
                decisions=(DecisionFacts(Decision.APPROVED, ISSUED, needs_confirmation=True, confirmed=True),))
    assert not rules.dbs_gate([check], POLICY, ISSUED).ok


# ---------------------------------------------------------------- identity routes


PASSPORT, BANK, BILL, COUNCIL, PAPER, LATER_BIRTH, FORCES, MARRIAGE = (
    IdDocument.PASSPORT, IdDocument.BANK_STATEMENT, IdDocument.UTILITY_BILL, IdDocument.COUNCIL_TAX,
    IdDocument.PAPER_LICENCE_UK, IdDocument.BIRTH_CERTIFICATE_LATER, IdDocument.FORCES_ID,
    IdDocument.MARRIAGE_CERTIFICATE)


@pytest.mark.parametrize("route,documents,ok", [
    (IdRoute.ROUTE_1, [PASSPORT, BANK], True),
    (IdRoute.ROUTE_1, [PASSPORT], False),
    (IdRoute.ROUTE_1, [BANK, BILL], False),
    (IdRoute.ROUTE_2, [PAPER, BANK, BILL], True),
    (IdRoute.ROUTE_2, [PAPER, BANK], False),
    (IdRoute.ROUTE_2, [PASSPORT, PAPER, BANK], False),  # a group 1 document means route 1
    (IdRoute.ROUTE_2, [BANK, BILL, COUNCIL], False),
    (IdRoute.ROUTE_3, [LATER_BIRTH, FORCES, BANK, BILL, COUNCIL], True),
    (IdRoute.ROUTE_3, [LATER_BIRTH, BANK, BILL, COUNCIL, MARRIAGE], True),
    (IdRoute.ROUTE_3, [LATER_BIRTH, FORCES, BANK, BILL], False),
    (IdRoute.ROUTE_3, [FORCES, MARRIAGE, BANK, BILL, COUNCIL], False),
])
def test_identity_routes(route, documents, ok):
    assert (identity_problems(route, [d.value for d in documents], True, True) == []) is ok


def test_identity_needs_every_name_and_five_years_of_addresses():
    assert identity_problems(IdRoute.ROUTE_1, [PASSPORT.value, BANK.value], False, False) == [
        "Confirm every name they have used", "Confirm every address of the last five years"]
    assert identity_problems(IdRoute.ROUTE_1, [PASSPORT.value, PASSPORT.value], True, True) == [
        "Each document type can be counted only once"]


# ---------------------------------------------------------------- police vetting


def test_police_validity_is_per_level_and_the_letter_wins():
    policy = replace(POLICY, nppv_validity_by_level=((NppvLevel.NPPV2_ABBREVIATED, 3), (NppvLevel.NPPV3, 5)))
    granted = date(2026, 4, 1)
    assert rules.nppv_expiry(granted, policy, NppvLevel.NPPV2_ABBREVIATED) == date(2029, 4, 1)
    assert rules.nppv_expiry(granted, policy, NppvLevel.NPPV3) == date(2031, 4, 1)
    assert rules.nppv_expiry(granted, policy, NppvLevel.NPPV3, letter_expiry=date(2030, 1, 31)) == date(2030, 1, 31)


def test_a_reported_change_sends_the_clearance_back_for_review():
    reported = date(2026, 6, 1)
    record = nppv(expires_on=date(2030, 1, 1), open_changes=(reported,))
    assert rules.nppv_gate([record], POLICY, reported - timedelta(days=1)).ok
    assert rules.nppv_gate([record], POLICY, reported).reasons == [
        "A change of circumstances reported on 1 June 2026 is with the force for review"]


def test_annual_review_dates():
    policy = replace(POLICY, nppv_review_months=12)
    granted, expires = date(2026, 6, 15), date(2029, 6, 15)
    assert rules.next_nppv_review(granted, expires, policy, date(2026, 6, 16)) == date(2027, 6, 15)
    assert rules.next_nppv_review(granted, expires, policy, date(2027, 6, 15)) == date(2027, 6, 15)  # the day itself
    assert rules.next_nppv_review(granted, expires, policy, date(2028, 6, 16)) is None  # the next would be the expiry
    assert rules.next_nppv_review(granted, expires, POLICY, date(2026, 6, 16)) is None  # no reviews in policy


def test_no_two_vocabularies_share_a_value():
    """Labels are looked up by value, so a value used twice would give one enum the other's words."""
    from app.vetting import enums

    values = [m.value for cls in enums.Labelled.__subclasses__() for m in cls]
    assert len(values) == len(set(values))


def test_a_declaration_is_purged_with_the_disclosure_notes():
    made = date(2026, 1, 10)
    assert rules.declaration_purge_due(made, [], [], POLICY) is None  # nothing back yet: still needed
    assert rules.declaration_purge_due(made, [], [date(2026, 2, 1)], POLICY) == date(2026, 8, 1)  # a clear certificate
    assert rules.declaration_purge_due(made, [date(2026, 3, 5)], [date(2026, 2, 1)], POLICY) == date(2026, 9, 5)
    assert rules.declaration_purge_due(made, [date(2025, 3, 5)], [date(2025, 2, 1)], POLICY) is None  # older checks
