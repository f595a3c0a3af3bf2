"""The gate engine: every gate in every state it has, at the boundary dates. Pure: no app, no database."""
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.dates import add_years
from app.readiness import rules
from app.readiness.policy import load_policy
from app.readiness.rules import CourseFacts, Facts, SelfDeclaration, State
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvLevel, NppvOutcome, StatusOutcome, Workforce
from app.vetting.policy import VettingPolicy
from app.vetting.rules import DbsFacts, DecisionFacts, NppvFacts, StatusCheckFacts

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy" / "readiness.toml")
VETTING = VettingPolicy()
ON = date(2027, 6, 15)
D = timedelta(days=1)
COURSES = {"taster-day": None, "adult-safeguarding-level-1": 36, "grow-model": None, "hear-principles": None,
           "gdpr-induction": None, "roles-and-responsibilities": None}


def dbs(issued=date(2026, 6, 1), outcome=DbsOutcome.CLEAR, **kw):
    return DbsFacts(level=kw.pop("level", DbsLevel.ENHANCED), workforce=kw.pop("workforce", Workforce.ADULT),
                    requested_on=issued - 30 * D, submitted_on=issued - 20 * D, issued_on=issued, outcome=outcome,
                    id=kw.pop("id", 1), **kw)


def nppv(granted=date(2026, 6, 10), outcome=NppvOutcome.GRANTED, level=NppvLevel.NPPV2_ABBREVIATED):
    return NppvFacts(level=level, submitted_on=granted - 30 * D, outcome=outcome, outcome_on=granted,
                     granted_on=granted if outcome == NppvOutcome.GRANTED else None,
                     expires_on=add_years(granted, 3) if outcome == NppvOutcome.GRANTED else None, id=1)


def ready_facts(**changes) -> Facts:
    base = Facts(application_accepted_on=date(2026, 5, 1), references_satisfactory=2,
                 identity_checked_on=date(2026, 5, 2), self_declaration=SelfDeclaration.MADE,
                 dbs_checks=(dbs(),), police=(nppv(),),
                 courses={code: (CourseFacts(date(2026, 7, 1), date(2029, 7, 1) if months else None),)
                          for code, months in COURSES.items()},
                 agreements={1: date(2026, 7, 2)}, induction_on=date(2026, 7, 3), supervisor="Sam Supervisor",
                 emergency_contact=True)
    return replace(base, **changes)


def gate(code, facts, on=ON, policy=POLICY):
    return rules.evaluate(facts, policy, VETTING, on).outcome(code)


def test_a_volunteer_with_everything_done_is_ready_until_the_first_gate_ends():
    readiness = rules.evaluate(ready_facts(), POLICY, VETTING, ON)
    assert [o.state for o in readiness.outcomes] == [State.PASSED] * len(POLICY.gates)
    assert readiness.ready and readiness.failing == []
    # DBS issued 1 June 2026 -> recheck 1 June 2029; police granted 10 June 2026 -> ends 10 June 2029;
    # safeguarding completed 1 July 2026 -> expires 1 July 2029: the earliest last good day is 31 May 2029.
    assert readiness.until == date(2029, 5, 31)


def test_gates_come_in_the_policys_order():
    readiness = rules.evaluate(Facts(), POLICY, VETTING, ON)
    assert [o.code for o in readiness.outcomes] == POLICY.codes
    assert not readiness.ready and readiness.until is None


def test_nothing_done_is_pending_everywhere_and_says_who_is_waited_on():
    readiness = rules.evaluate(Facts(), POLICY, VETTING, ON)
    assert {o.state for o in readiness.outcomes} == {State.PENDING}
    waiting = {o.code: o.waiting_on for o in readiness.outcomes}
    assert waiting["references"] == "referees" and waiting["dbs"] == "coordinator"
    assert waiting["taster-day"] == waiting["agreement"] == waiting["emergency-contact"] == "you"
    assert waiting["induction"] == waiting["application"] == "coordinator"
    assert all(o.next_step for o in readiness.outcomes)


# ---------------------------------------------------------------- application, references, identity


@pytest.mark.parametrize("accepted, state", [(ON, State.PASSED), (ON + D, State.PENDING), (None, State.PENDING)])
def test_application_accepted(accepted, state):
    assert gate("application", ready_facts(application_accepted_on=accepted)).state == state


@pytest.mark.parametrize("count, state", [(0, State.PENDING), (1, State.PENDING), (2, State.PASSED), (3, State.PASSED)])
def test_two_satisfactory_references(count, state):
    outcome = gate("references", ready_facts(references_satisfactory=count))
    assert outcome.state == state
    if state == State.PENDING:
        assert outcome.evidence == f"{count} of 2 satisfactory references so far"


@pytest.mark.parametrize("checked, state", [(ON, State.PASSED), (ON + D, State.PENDING), (None, State.PENDING)])
def test_identity_checked(checked, state):
    assert gate("identity", ready_facts(identity_checked_on=checked)).state == state


@pytest.mark.parametrize("declaration, state", [
    (SelfDeclaration.NOT_RECORDED, State.PENDING), (SelfDeclaration.MADE, State.PASSED),
    (SelfDeclaration.NEEDS_ASSESSMENT, State.PENDING), (SelfDeclaration.ASSESSED, State.PASSED),
    (SelfDeclaration.DECLINED, State.FAILED)])
def test_self_declaration_made_and_risk_assessed_where_needed(declaration, state):
    assert gate("self-declaration", ready_facts(self_declaration=declaration)).state == state


# ---------------------------------------------------------------- DBS


@pytest.mark.parametrize("on, state", [
    (date(2029, 4, 1), State.PASSED),     # last good day 31 May 2029: 60 days ahead is still "passed"
    (date(2029, 4, 2), State.EXPIRING),   # 59 days ahead: expiring
    (date(2029, 5, 31), State.EXPIRING),  # the last good day
    (date(2029, 6, 1), State.EXPIRED),    # the recheck date
])
def test_dbs_expiring_and_expired_at_the_boundaries(on, state):
    outcome = gate("dbs", ready_facts(), on=on)
    assert outcome.state == state
    assert outcome.until == (date(2029, 5, 31) if state.good else None)


def test_dbs_states():
    assert gate("dbs", ready_facts(dbs_checks=())).state == State.PENDING
    waiting = DbsFacts(level=DbsLevel.ENHANCED, workforce=Workforce.ADULT, requested_on=ON - 9 * D, submitted_on=ON - 8 * D)
    assert gate("dbs", ready_facts(dbs_checks=(waiting,))).waiting_on == "dbs"
    undecided = dbs(outcome=DbsOutcome.DISCLOSED)
    assert gate("dbs", ready_facts(dbs_checks=(undecided,))).state == State.PENDING
    declined = replace(undecided, decisions=(DecisionFacts(Decision.DECLINED, date(2026, 6, 5)),))
    assert gate("dbs", ready_facts(dbs_checks=(declined,))).state == State.FAILED
    approved = replace(undecided, decisions=(DecisionFacts(Decision.APPROVED, date(2026, 6, 5)),))
    assert gate("dbs", ready_facts(dbs_checks=(approved,))).state == State.PASSED
    flagged = replace(dbs(), status_checks=(StatusCheckFacts(date(2027, 1, 1), StatusOutcome.CHANGED),))
    assert gate("dbs", ready_facts(dbs_checks=(flagged,))).state == State.FAILED
    basic = dbs(level=DbsLevel.BASIC)
    assert gate("dbs", ready_facts(dbs_checks=(basic,))).state == State.FAILED
    # a lapsed certificate that was also the wrong level is failed, not merely expired
    assert gate("dbs", ready_facts(dbs_checks=(basic,)), on=date(2029, 6, 1)).state == State.FAILED


# ---------------------------------------------------------------- police vetting


@pytest.mark.parametrize("on, state", [
    (date(2029, 4, 10), State.PASSED),    # ends 10 June 2029, last good day 9 June: 60 days ahead
    (date(2029, 4, 11), State.EXPIRING),
    (date(2029, 6, 9), State.EXPIRING),
    (date(2029, 6, 10), State.EXPIRED),
])
def test_police_vetting_at_the_boundaries(on, state):
    assert gate("police-vetting", ready_facts(), on=on).state == state


def test_police_vetting_states():
    assert gate("police-vetting", ready_facts(police=())).state == State.PENDING
    waiting = NppvFacts(level=NppvLevel.NPPV2_ABBREVIATED, submitted_on=ON - 5 * D)
    outcome = gate("police-vetting", ready_facts(police=(waiting,)))
    assert outcome.state == State.PENDING and outcome.waiting_on == "police"
    assert gate("police-vetting", ready_facts(police=(nppv(outcome=NppvOutcome.REFUSED),))).state == State.FAILED
    assert gate("police-vetting", ready_facts(police=(nppv(outcome=NppvOutcome.WITHDRAWN),))).state == State.FAILED
    low = nppv(level=NppvLevel.NPPV1)
    assert gate("police-vetting", ready_facts(police=(low,))).state == State.FAILED


# ---------------------------------------------------------------- training


@pytest.mark.parametrize("code", [g.code for g in POLICY.gates if g.rule == "course"])
def test_each_course_gate_is_pending_until_completed_and_does_not_count_a_future_completion(code):
    course = POLICY.gate(code).course
    facts = ready_facts()
    missing = replace(facts, courses={k: v for k, v in facts.courses.items() if k != course})
    outcome = gate(code, missing)
    assert outcome.state == State.PENDING and outcome.waiting_on == "you" and outcome.next_step == "Book a place"
    tomorrow = replace(facts, courses=facts.courses | {course: (CourseFacts(ON + D, None),)})
    assert gate(code, tomorrow).state == State.PENDING
    today = replace(facts, courses=facts.courses | {course: (CourseFacts(ON, None),)})
    assert gate(code, today).state == State.PASSED and gate(code, today).until is None


@pytest.mark.parametrize("on, state", [
    (date(2029, 5, 1), State.PASSED),     # expires 1 July 2029: last good day 30 June, 60 days ahead
    (date(2029, 5, 2), State.EXPIRING),
    (date(2029, 6, 30), State.EXPIRING),
    (date(2029, 7, 1), State.EXPIRED),
])
def test_safeguarding_lapses_at_its_expiry(on, state):
    outcome = gate("safeguarding", ready_facts(), on=on)
    assert outcome.state == state
    if state == State.EXPIRED:
        assert outcome.evidence == "Expired on 1 July 2029" and outcome.next_step == "Book a refresher"


def test_a_refresher_extends_safeguarding_to_the_longest_completion():
    facts = ready_facts()
    refreshed = replace(facts, courses=facts.courses | {"adult-safeguarding-level-1": (
        CourseFacts(date(2026, 7, 1), date(2029, 7, 1)), CourseFacts(date(2029, 6, 1), date(2032, 6, 1)))})
    outcome = gate("safeguarding", refreshed, on=date(2029, 7, 1))
    assert outcome.state == State.PASSED and outcome.until == date(2032, 5, 31)


def test_a_gate_without_a_lead_time_is_never_expiring():
    facts = ready_facts(courses=ready_facts().courses | {"taster-day": (CourseFacts(date(2026, 1, 1), ON + D),)})
    assert gate("taster-day", facts).state == State.PASSED
    assert gate("taster-day", facts, on=ON + D).state == State.EXPIRED


# ---------------------------------------------------------------- agreement, induction, emergency contact


def test_agreement_signed_on_the_day_counts_and_a_new_version_makes_it_pending():
    assert gate("agreement", ready_facts(agreements={1: ON})).state == State.PASSED
    assert gate("agreement", ready_facts(agreements={1: ON + D})).state == State.PENDING
    assert gate("agreement", ready_facts(agreements={})).evidence == "Not signed yet"
    version_2 = replace(POLICY, agreement_version=2)
    outcome = gate("agreement", ready_facts(agreements={1: date(2026, 7, 2)}), policy=version_2)
    assert outcome.state == State.PENDING and "sign it again" in outcome.evidence
    assert gate("agreement", ready_facts(agreements={1: date(2026, 7, 2), 2: ON}), policy=version_2).state == State.PASSED


def test_induction_needs_a_meeting_held_and_a_named_supervisor():
    assert gate("induction", ready_facts(induction_on=ON)).state == State.PASSED
    assert gate("induction", ready_facts(induction_on=ON + D)).state == State.PENDING
    assert gate("induction", ready_facts(supervisor=None)).state == State.PENDING
    assert "supervisor Sam Supervisor" in gate("induction", ready_facts()).evidence


def test_emergency_contact():
    assert gate("emergency-contact", ready_facts(emergency_contact=False)).state == State.PENDING
    assert gate("emergency-contact", ready_facts()).state == State.PASSED


# ---------------------------------------------------------------- release and warnings


def test_release_problems_name_each_gate_not_good_and_expiring_still_counts_as_good():
    assert rules.release_problems(rules.evaluate(ready_facts(), POLICY, VETTING, date(2029, 5, 31))) == []
    problems = rules.release_problems(rules.evaluate(ready_facts(emergency_contact=False, induction_on=None),
                                                     POLICY, VETTING, ON))
    assert problems == ["Induction meeting held, supervisor named: not done yet (Not held yet)",
                        "Emergency contact recorded: not done yet (Not given yet)"]


@pytest.mark.parametrize("today, lead", [
    (date(2029, 5, 1), None), (date(2029, 5, 2), 60), (date(2029, 5, 31), 60), (date(2029, 6, 1), 30),
    (date(2029, 6, 23), 30), (date(2029, 6, 24), 7), (date(2029, 6, 30), 7), (date(2029, 7, 1), None)])
def test_warning_lead_times_before_a_gate_lapses(today, lead):
    # good until 30 June 2029, lapsing on 1 July 2029
    assert rules.warning_lead(date(2029, 6, 30), today, (60, 30, 7)) == lead
