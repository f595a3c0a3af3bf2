"""Every vetting state change, one function each: check the state, change, audit, queue e-mail, flush.

Also the thin shell around the pure gate: `vetting_gate(volunteer, on)` loads records and asks the rules.
"""
from datetime import date

from sqlalchemy import select

from app import audit
from app.actions import hold, on_duplicate
from app.auth.models import Role, User
from app.auth.services import remove_role
from app.db_types import utcnow
from app.email import send_email
from app.errors import DomainError
from app.extensions import db
from app.timefmt import today_london
from app.vetting import rules
from app.vetting.enums import DbsOutcome, Decision, NppvOutcome, StatusOutcome
from app.vetting.models import DbsCheck, DbsDecision, PoliceVetting, StatusCheck
from app.vetting.policy import VettingPolicy, current_policy


class VettingError(DomainError):
    """A vetting action that is not allowed in the record's current state."""


on_duplicate("dbs_decisions", "A decision on this DBS check was recorded a moment ago by someone else, so yours "
             "was not saved. Look at the record again.")


def _refuse(problem: str | None) -> None:
    if problem:
        raise VettingError(problem)


# ---------------------------------------------------------------- reading


def load_records(volunteer_ids) -> dict[int, tuple[list[DbsCheck], list[PoliceVetting]]]:
    """DBS checks and police vetting for many volunteers in a fixed number of queries.

    `volunteer_ids` may be a list or a SELECT of user ids.
    """
    checks = db.session.scalars(select(DbsCheck).where(DbsCheck.volunteer_id.in_(volunteer_ids))
                                .order_by(DbsCheck.id)).all()
    police = db.session.scalars(select(PoliceVetting).where(PoliceVetting.volunteer_id.in_(volunteer_ids))
                                .order_by(PoliceVetting.id)).all()
    found: dict[int, tuple[list, list]] = {}
    for check in checks:
        found.setdefault(check.volunteer_id, ([], []))[0].append(check)
    for record in police:
        found.setdefault(record.volunteer_id, ([], []))[1].append(record)
    return found


def facts_for(records) -> tuple[list[rules.DbsFacts], list[rules.NppvFacts]]:
    checks, police = records
    return [c.facts() for c in checks], [p.facts() for p in police]


def vetting_gate(volunteer: User, on: date | None = None, policy: VettingPolicy | None = None) -> rules.GateResult:
    """Is this volunteer's vetting good on `on` (default today), and if not why, and until when."""
    records = load_records([volunteer.id]).get(volunteer.id, ([], []))
    checks, police = facts_for(records)
    return rules.evaluate_gate(checks, police, policy or current_policy(), on or today_london())


def vetting_gates(volunteers, on: date | None = None, policy: VettingPolicy | None = None) -> dict[int, rules.GateResult]:
    """The gate for many volunteers at once (keyed by user id), in a fixed number of queries."""
    records = load_records([v.id for v in volunteers])
    policy, on = policy or current_policy(), on or today_london()
    return {v.id: rules.evaluate_gate(*facts_for(records.get(v.id, ([], []))), policy, on) for v in volunteers}


def log_view(viewer: User, volunteer: User, obj=None, page: str = "record") -> None:
    """Record that a member of staff looked at a volunteer's vetting record (the code of practice asks this)."""
    audit.record(viewer, "vetting.viewed", volunteer, obj=obj, page=page)


def log_list_view(viewer: User, shown: list[User], **filters) -> None:
    """Record that a member of staff saw these volunteers' names and vetting status on the work list (one entry)."""
    audit.record(viewer, "vetting.list_viewed", None, shown=[person.id for person in shown], **filters)


# ---------------------------------------------------------------- DBS


def request_dbs_check(volunteer: User, level, workforce, volunteer_check: bool, requested_on: date, by: User) -> DbsCheck:
    """Start a DBS check (a first check or a recheck: earlier records are kept)."""
    check = DbsCheck(volunteer_id=volunteer.id, level=level, workforce=workforce, volunteer_check=volunteer_check,
                     requested_on=requested_on, created_by_id=by.id)
    db.session.add(check)
    db.session.flush()
    audit.record(by, "vetting.dbs_requested", volunteer, obj=check, level=level, workforce=workforce)
    return check


def record_dbs_submission(check: DbsCheck, submitted_on: date, by: User) -> None:
    """Note the day the application went to the DBS."""
    hold(check)
    _refuse(check.problem_with("submission"))
    check.submitted_on = submitted_on
    audit.record(by, "vetting.dbs_submitted", _volunteer(check), obj=check, submitted_on=submitted_on)
    db.session.flush()


def record_dbs_result(check: DbsCheck, certificate_number: str, issued_on: date, outcome: DbsOutcome, by: User) -> None:
    """Record the certificate: number, issue date and whether it disclosed information (never what)."""
    hold(check)
    _refuse(check.problem_with("result"))
    number = rules.normalise_certificate_number(certificate_number)
    if number is None:
        raise VettingError("The certificate number must be 12 digits.")
    check.certificate_number, check.issued_on, check.outcome = number, issued_on, outcome
    # Whether it disclosed anything stays on the vetting record, which only coordinators and managers see,
    # not in the audit log, which admins read too.
    audit.record(by, "vetting.dbs_result", _volunteer(check), obj=check, issued_on=issued_on)
    db.session.flush()


def record_dbs_decision(check: DbsCheck, decision: Decision, rationale: str, by: User, on: date | None = None) -> DbsDecision:
    """Record the one risk-assessed decision on a check; a decline ends the volunteer's onboarding kindly."""
    hold(check)
    _refuse(check.problem_with("decision"))
    row = DbsDecision(dbs_check_id=check.id, decision=decision, rationale=rationale,
                      decided_on=on or today_london(), decided_by_id=by.id)
    check.decisions.append(row)
    db.session.flush()
    volunteer = _volunteer(check)
    # Approved or declined stays on the record: in the audit log (admins read it) it would tell of a disclosure.
    audit.record(by, "vetting.dbs_decision", volunteer, obj=row)
    if decision == Decision.DECLINED:
        end_onboarding(volunteer, by)
    db.session.flush()
    return row


def end_onboarding(volunteer: User, by: User) -> None:
    """Stop a declined volunteer's onboarding: remove the volunteer role and write to them kindly."""
    if volunteer.has_role(Role.VOLUNTEER):
        remove_role(volunteer, Role.VOLUNTEER, by)
    audit.record(by, "vetting.onboarding_ended", volunteer)
    send_email(volunteer.email, "Your application to volunteer with us", "vetting/declined", user=volunteer)


def record_update_service(check: DbsCheck, subscribed_on: date | None, consent_on: date | None,
                          original_seen_on: date | None, by: User) -> None:
    """Record the holder's Update Service subscription, consent to status checks, and the original seen in person."""
    hold(check)
    _refuse(check.problem_with("update_service"))
    if original_seen_on is not None and original_seen_on != check.original_seen_on:
        check.original_seen_by_id = by.id
    elif original_seen_on is None:
        check.original_seen_by_id = None
    check.subscribed_on, check.consent_on, check.original_seen_on = subscribed_on, consent_on, original_seen_on
    audit.record(by, "vetting.update_service_recorded", _volunteer(check), obj=check, subscribed_on=subscribed_on,
                 consent_on=consent_on, original_seen_on=original_seen_on)
    db.session.flush()


def record_status_check(check: DbsCheck, checked_on: date, outcome: StatusOutcome, by: User,
                        policy: VettingPolicy | None = None) -> StatusCheck:
    """Record an Update Service status check; refused unless consent, sighting, level and workforce allow it."""
    hold(check)
    problems = rules.status_check_problems(check.facts(), policy or current_policy())
    if problems:
        raise VettingError("A status check cannot be recorded: " + "; ".join(problems) + ".")
    row = StatusCheck(dbs_check_id=check.id, checked_on=checked_on, outcome=outcome, checked_by_id=by.id)
    check.status_checks.append(row)
    db.session.flush()
    audit.record(by, "vetting.status_check", _volunteer(check), obj=row, checked_on=checked_on)
    return row


# ---------------------------------------------------------------- police vetting


def submit_police_vetting(volunteer: User, level, force_reference: str, submitted_on: date, by: User) -> PoliceVetting:
    """Record a police vetting application sent to the force."""
    record = PoliceVetting(volunteer_id=volunteer.id, level=level, force_reference=force_reference,
                           submitted_on=submitted_on, recorded_by_id=by.id)
    db.session.add(record)
    db.session.flush()
    audit.record(by, "vetting.nppv_submitted", volunteer, obj=record, level=level)
    return record


def record_police_outcome(record: PoliceVetting, outcome: NppvOutcome, outcome_on: date, by: User,
                          policy: VettingPolicy | None = None) -> None:
    """Record the force's answer: granted (expiry set from policy), refused, or a later withdrawal."""
    hold(record)
    if outcome not in record.next_outcomes:
        now = record.outcome.label.lower() if record.outcome else "waiting for a result"
        raise VettingError(f"Police vetting that is {now} cannot be recorded as {outcome.label.lower()}.")
    if outcome == NppvOutcome.GRANTED:
        record.granted_on = outcome_on
        record.expires_on = rules.nppv_expiry(outcome_on, policy or current_policy())
    record.outcome, record.outcome_on = outcome, outcome_on
    audit.record(by, "vetting.nppv_outcome", _volunteer(record), obj=record, outcome=outcome, outcome_on=outcome_on)
    db.session.flush()


def _volunteer(record) -> User:
    return db.session.get(User, record.volunteer_id)


def purge_note(decision: DbsDecision, volunteer: User) -> None:
    """Delete the reasons written for a decision (the decision, who and when are kept), and audit it."""
    decision.rationale = None
    decision.rationale_purged_at = utcnow()
    audit.record(None, "vetting.note_purged", volunteer, obj=decision, decided_on=decision.decided_on)
