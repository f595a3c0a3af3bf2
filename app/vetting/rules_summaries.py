"""Pure summaries built on the rules: the work-list categories and the volunteer's own plain-words status."""
from dataclasses import dataclass
from datetime import date, timedelta

from app.timefmt import format_date
from app.vetting.enums import Decision, NppvOutcome
from app.vetting.policy import VettingPolicy
from app.vetting.rules import (
    current_dbs,
    current_nppv,
    dbs_cover_ends,
    dbs_gate,
    next_status_check,
    nppv_gate,
    wrong_check,
)

AWAITING_SUBMISSION = "awaiting-submission"
AWAITING_RESULT = "awaiting-result"
AWAITING_DECISION = "awaiting-decision"
AWAITING_CONFIRMATION = "awaiting-confirmation"
WRONG_CHECK = "wrong-check"
NPPV_ENDED = "nppv-ended"
NPPV_REVIEW = "nppv-review"
EXPIRED = "expired"
STATUS_CHECK_DUE = "status-check-due"


def category_labels(policy: VettingPolicy) -> dict[str, str]:
    """Work-list categories in the order shown, with their labels (expiry bands follow the reminder lead times)."""
    labels = {
        AWAITING_SUBMISSION: "Awaiting submission",
        AWAITING_RESULT: "Awaiting result",
        AWAITING_DECISION: "Awaiting decision",
        AWAITING_CONFIRMATION: "Approval awaiting a manager's confirmation",
        WRONG_CHECK: "Wrong level or workforce: start a new check",
        NPPV_ENDED: "Police vetting refused or withdrawn: talk to the volunteer",
        NPPV_REVIEW: "Change of circumstances with the force: record its review",
    }
    lower = 0
    for lead in sorted(policy.reminder_days):
        labels[f"expiring-{lead}"] = (f"Expiring within {lead} days" if lower == 0
                                      else f"Expiring in {lower + 1} to {lead} days")
        lower = lead
    labels[EXPIRED] = "Expired or no longer current"
    labels[STATUS_CHECK_DUE] = "Update Service checks due"
    return labels


def _expiry_band(end: date, policy: VettingPolicy, on: date) -> str | None:
    days = (end - on).days
    if days <= 0:
        return EXPIRED
    bands = [lead for lead in sorted(policy.reminder_days) if days <= lead]
    return f"expiring-{bands[0]}" if bands else None


def categories(checks, nppvs, policy: VettingPolicy, on: date) -> set[str]:
    """Which work lists a volunteer belongs on today (possibly several, possibly none).

    queries_lists.listed is this function's twin in SQL (the counts and pages of the work list): change both
    together; tests/vetting/test_work_list_sql.py fails when they disagree for anyone."""
    found = set()
    pending = [c for c in checks if not c.has_result]
    if not checks or not nppvs or any(c.submitted_on is None for c in pending):
        found.add(AWAITING_SUBMISSION)
    if any(c.submitted_on for c in pending) or any(r.outcome is None for r in nppvs):
        found.add(AWAITING_RESULT)
    current = current_dbs(checks)
    if current is not None:
        if current.needs_decision:
            found.add(AWAITING_DECISION)
        decision = current.latest_decision
        if decision is not None and decision.awaiting_confirmation and policy.confirm_disclosed_approvals:
            found.add(AWAITING_CONFIRMATION)
        if wrong_check(current, policy):
            found.add(WRONG_CHECK)
        if current.flag is not None:
            found.add(EXPIRED)  # a changed status: only a new DBS check will do
        status_due = next_status_check(current, policy, on)
        if status_due is not None:
            if (status_due - on).days <= min(policy.reminder_days):
                found.add(STATUS_CHECK_DUE)
            if status_due <= on:
                found.add(EXPIRED)
        else:
            found.add(_expiry_band(dbs_cover_ends(current, policy, on), policy, on))
    police = current_nppv(nppvs)
    if police is not None and police.outcome == NppvOutcome.GRANTED:
        found.add(_expiry_band(police.expires_on, policy, on))
        if police.level.rank < policy.nppv_level.rank:
            found.add(WRONG_CHECK)
        if police.open_changes:
            found.add(NPPV_REVIEW)
    elif police is not None:
        found.add(NPPV_ENDED)
    found.discard(None)
    return found


@dataclass(frozen=True)
class Step:
    """One line of a volunteer's own status: what it is, where it stands, and what happens next."""

    title: str
    tag: str
    colour: str
    text: str


def dbs_step(checks, policy: VettingPolicy, on: date) -> Step:
    """The volunteer's DBS check in plain words, with nothing of what a certificate disclosed."""
    title = "DBS check"
    gate = dbs_gate(checks, policy, on)
    if gate.ok:
        return Step(title, "Done", "green", f"Your DBS check is complete. It is good until {format_date(gate.until)}.")
    current = current_dbs(checks)
    newer = [c for c in checks if not c.has_result and (current is None or c.requested_on >= current.issued_on)]
    if newer:
        latest = max(newer, key=lambda c: (c.requested_on, c.id))
        if latest.submitted_on is None:
            return Step(title, "To do", "blue", "Fill in your DBS application and show your ID documents to your "
                        f"coordinator. We asked for it on {format_date(latest.requested_on)}.")
        return Step(title, "Waiting", "yellow", f"Your DBS application was sent on {format_date(latest.submitted_on)}. "
                    "When your certificate arrives in the post, please show it to your coordinator.")
    if current is None:
        return Step(title, "Not started", "grey", "Your coordinator will send you a DBS application. "
                    "It is free for volunteers.")
    return _dbs_problem_step(title, current, policy, on)


def _a(label: str) -> str:
    """'a basic', 'an enhanced'."""
    return ("an " if label[0].lower() in "aeiou" else "a ") + label.lower()


def _dbs_problem_step(title: str, current, policy: VettingPolicy, on: date) -> Step:
    """The real reason a certificate in hand does not clear the volunteer, in plain words."""
    decision = current.latest_decision
    if current.needs_decision:
        return Step(title, "Being reviewed", "yellow", "Your coordinator is looking at your DBS check and will "
                    "talk to you about it.")
    if decision is not None and decision.decision == Decision.DECLINED:
        return Step(title, "Closed", "grey", "Your coordinator has written to you about your DBS check.")
    if wrong_check(current, policy):
        return Step(title, "New check needed", "red", f"Your DBS certificate is {_a(current.level.label)} "
                    f"check for the {current.workforce.label.lower()}. Volunteering with us needs "
                    f"{_a(policy.dbs_level.label)} check for the {policy.dbs_workforce.label.lower()}, so "
                    "we need a new one. This is not about anything on your certificate. Your coordinator will "
                    "send you an application. It is free for volunteers.")
    if current.flag is not None:
        return Step(title, "New check needed", "red", "The DBS Update Service told us your certificate is no "
                    "longer up to date, so we need a new DBS check. Your coordinator will talk to you and send "
                    "you an application.")
    if decision is not None and decision.awaiting_confirmation:
        return Step(title, "Being reviewed", "yellow", "Your coordinator has looked at your DBS check. A manager "
                    "is confirming it, and we will let you know when that is done.")
    if next_status_check(current, policy, on) is not None:
        return Step(title, "Being checked", "yellow", "Your coordinator needs to check your certificate on the "
                    "DBS Update Service. You do not need to do anything if your subscription is up to date.")
    return Step(title, "Needs renewing", "red", f"Your DBS certificate was issued on {format_date(current.issued_on)}. "
                f"We ask for a new check every {policy.recheck_years} years, so it is due again. Your coordinator "
                "will send you a new application.")


def nppv_step(records, policy: VettingPolicy, on: date) -> Step:
    """The volunteer's police vetting in plain words."""
    title = "Police vetting"
    gate = nppv_gate(records, policy, on)
    if gate.ok:
        return Step(title, "Done", "green", f"Your police vetting is complete. It is good until {format_date(gate.until)}.")
    pending = [r for r in records if r.outcome is None]
    if pending:
        latest = max(pending, key=lambda r: (r.submitted_on, r.id))
        return Step(title, "Waiting", "yellow", f"Your police vetting form was sent to the police on "
                    f"{format_date(latest.submitted_on)}. We will let you know when it comes back.")
    current = current_nppv(records)
    if current is None:
        return Step(title, "Not started", "grey", "Your coordinator will give you a police vetting form to fill in.")
    if current.outcome == NppvOutcome.GRANTED and current.level.rank < policy.nppv_level.rank:
        return Step(title, "New check needed", "red", f"Your police vetting is {current.level.label}. Volunteering "
                    f"with us needs {policy.nppv_level.label}, so we need a new application. This is not about "
                    "anything the police found. Your coordinator will give you a new form.")
    if current.outcome == NppvOutcome.GRANTED:
        return Step(title, "Needs renewing", "red", f"Your police vetting ended on {format_date(current.expires_on)} "
                    "and needs renewing. Your coordinator will give you a new form.")
    return Step(title, "Closed", "grey", "Your coordinator will talk to you about your police vetting.")


def declaration_step(latest) -> Step:
    """The volunteer's self-declaration: asked once at the vetting stage, confidentially."""
    title = "Self-declaration"
    if latest is None:
        return Step(title, "To do", "blue", "Please fill in your confidential self-declaration. Only the people "
                    "deciding on your vetting will see it.")
    return Step(title, "Done", "green", f"You sent your self-declaration on {format_date(latest.made_on)}. "
                "Thank you.")


UPDATE_SERVICE_JOIN_DAYS = 30  # the DBS's own rule: join within 30 days of the certificate's issue


def update_service_step(checks, on: date) -> Step | None:
    """A nudge to join the free DBS Update Service while the certificate is new enough; None otherwise."""
    current = current_dbs(checks)
    if current is None or current.subscribed_on is not None:
        return None
    last_day = current.issued_on + timedelta(days=UPDATE_SERVICE_JOIN_DAYS)
    if on > last_day:
        return None
    return Step("DBS Update Service", "Optional", "blue", "You can join the DBS Update Service free until "
                f"{format_date(last_day)}. It keeps your certificate up to date, so you may not need a new check "
                "later. Tell your coordinator if you join.")
