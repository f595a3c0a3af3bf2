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
from app.vetting import rules, rules_identity, rules_update_service
from app.vetting.enums import DbsOutcome, Decision, JoinRoute, StatusOutcome
from app.vetting.models import (
    DbsCheck,
    DbsConfirmation,
    DbsDecision,
    IdentityCheck,
    PoliceVetting,
    SelfDeclaration,
    StatusCheck,
)
from app.vetting.policy import VettingPolicy, current_policy


class VettingError(DomainError):
    """A vetting action that is not allowed in the record's current state."""


on_duplicate("dbs_decisions", "A decision on this DBS check was recorded a moment ago by someone else, so yours "
             "was not saved. Look at the record again.")


on_duplicate("dbs_decision_confirmations", "This approval was confirmed a moment ago by someone else.")

OWN_RECORD = "You cannot record anything about your own vetting. Ask another coordinator or a manager."


def _refuse(problem: str | None) -> None:
    if problem:
        raise VettingError(problem)


def refuse_own(volunteer_id: int, by: User) -> None:
    """Separation of duties: nobody records anything about their own vetting."""
    if by is not None and by.id == volunteer_id:
        raise VettingError(OWN_RECORD)


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
    """Start a DBS check (a first check or a recheck: earlier records are kept); never above the role's level."""
    refuse_own(volunteer.id, by)
    problems = rules_update_service.request_problems(level, workforce, current_policy())
    if problems:
        raise VettingError("This DBS check cannot be requested: " + "; ".join(problems) + ".")
    check = DbsCheck(volunteer_id=volunteer.id, level=level, workforce=workforce, volunteer_check=volunteer_check,
                     requested_on=requested_on, created_by_id=by.id)
    db.session.add(check)
    db.session.flush()
    audit.record(by, "vetting.dbs_requested", volunteer, obj=check, level=level, workforce=workforce)
    return check


def record_dbs_submission(check: DbsCheck, submitted_on: date, by: User) -> None:
    """Note the day the application went to the DBS."""
    refuse_own(check.volunteer_id, by)
    hold(check)
    _refuse(check.problem_with("submission"))
    check.submitted_on = submitted_on
    audit.record(by, "vetting.dbs_submitted", _volunteer(check), obj=check, submitted_on=submitted_on)
    db.session.flush()


def record_dbs_result(check: DbsCheck, certificate_number: str, issued_on: date, outcome: DbsOutcome, by: User) -> None:
    """Record the certificate: number, issue date and whether it disclosed information (never what)."""
    refuse_own(check.volunteer_id, by)
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


def record_dbs_decision(check: DbsCheck, decision: Decision, rationale: str, by: User, on: date | None = None,
                        conditions=(), policy: VettingPolicy | None = None) -> DbsDecision:
    """Record the one risk-assessed decision on a check; a decline ends the volunteer's onboarding kindly.

    An approval may carry conditions (codes from the policy); an approval of a disclosed check waits for a
    manager's confirmation when the policy asks for one.
    """
    refuse_own(check.volunteer_id, by)
    hold(check)
    _refuse(check.problem_with("decision"))
    policy = policy or current_policy()
    codes = list(dict.fromkeys(conditions))
    unknown = [c for c in codes if c not in policy.condition_labels]
    if unknown or (codes and decision != Decision.APPROVED):
        raise VettingError("Conditions can only be chosen from the scheme's list, and only for an approval.")
    confirm = (decision == Decision.APPROVED and check.outcome == DbsOutcome.DISCLOSED
               and policy.confirm_disclosed_approvals)
    row = DbsDecision(dbs_check_id=check.id, decision=decision, rationale=rationale, conditions=codes,
                      needs_confirmation=confirm, decided_on=on or today_london(), decided_by_id=by.id)
    check.decisions.append(row)
    db.session.flush()
    volunteer = _volunteer(check)
    # Approved or declined stays on the record: in the audit log (admins read it) it would tell of a disclosure.
    audit.record(by, "vetting.dbs_decision", volunteer, obj=row)
    if decision == Decision.DECLINED:
        end_onboarding(volunteer, by)
    db.session.flush()
    return row


def confirm_dbs_decision(decision: DbsDecision, by: User) -> DbsConfirmation:
    """A manager, not the approver and not the volunteer, confirms an approval of a disclosed check."""
    check = decision.check
    refuse_own(check.volunteer_id, by)
    hold(check)
    if not by.has_role(Role.MANAGER):
        raise VettingError("Only a manager can confirm an approval.")
    if decision.decided_by_id == by.id:
        raise VettingError("You made this decision, so another manager must confirm it.")
    if not decision.facts().awaiting_confirmation:
        raise VettingError("This decision does not need a confirmation.")
    row = DbsConfirmation(decision_id=decision.id, confirmed_by_id=by.id)
    decision.confirmation = row
    db.session.flush()
    audit.record(by, "vetting.dbs_decision_confirmed", _volunteer(check), obj=decision)
    return row


def end_onboarding(volunteer: User, by: User) -> None:
    """Stop a declined volunteer's onboarding: remove the volunteer role and write to them kindly."""
    if volunteer.has_role(Role.VOLUNTEER):
        remove_role(volunteer, Role.VOLUNTEER, by)
    audit.record(by, "vetting.onboarding_ended", volunteer)
    send_email(volunteer.email, "Your application to volunteer with us", "vetting/declined", user=volunteer)


def record_update_service(check: DbsCheck, details: dict, by: User) -> None:
    """Record the holder's Update Service subscription (how and when joined, renewal), consent and its
    withdrawal, and the original certificate seen in person. `details` holds the columns of UPDATE_SERVICE_FIELDS."""
    refuse_own(check.volunteer_id, by)
    hold(check)
    _refuse(check.problem_with("update_service"))
    details = {name: details.get(name) for name in UPDATE_SERVICE_FIELDS}
    if details["subscribed_on"] is None:
        details["join_route"] = details["renews_on"] = None
    if details["original_seen_on"] is None:
        check.original_seen_by_id = None
    elif details["original_seen_on"] != check.original_seen_on:
        check.original_seen_by_id = by.id
    for name, value in details.items():
        setattr(check, name, value)
    problems = rules_update_service.update_service_problems(check.facts())
    if problems:
        raise VettingError("The Update Service details cannot be saved: " + "; ".join(problems.values()) + ".")
    audit.record(by, "vetting.update_service_recorded", _volunteer(check), obj=check,
                 **{k: (v.value if isinstance(v, JoinRoute) else v) for k, v in details.items()})
    db.session.flush()


UPDATE_SERVICE_FIELDS = ("join_route", "subscribed_on", "renews_on", "consent_on", "consent_withdrawn_on",
                         "original_seen_on")


def record_status_check(check: DbsCheck, checked_on: date, outcome: StatusOutcome, by: User,
                        policy: VettingPolicy | None = None, *, name_matches: bool) -> StatusCheck:
    """Record an Update Service status check; refused unless identity, consent, sighting, subscription, level and
    workforce allow it on that day, and the name on the certificate matches the identity check."""
    refuse_own(check.volunteer_id, by)
    hold(check)
    problems = rules_update_service.status_check_problems(check.facts(), policy or current_policy(), checked_on,
                                           identity_checked(_volunteer(check), checked_on))
    if not name_matches:
        problems.append("the name on the certificate must match the identity check")
    if problems:
        raise VettingError("A status check cannot be recorded: " + "; ".join(problems) + ".")
    row = StatusCheck(dbs_check_id=check.id, checked_on=checked_on, outcome=outcome, checked_by_id=by.id)
    check.status_checks.append(row)
    db.session.flush()
    audit.record(by, "vetting.status_check", _volunteer(check), obj=row, checked_on=checked_on)
    return row


def _volunteer(record) -> User:
    return db.session.get(User, record.volunteer_id)


def purge_note(decision: DbsDecision, volunteer: User) -> None:
    """Delete the reasons written for a decision (the decision, who and when are kept), and audit it."""
    decision.rationale = None
    decision.rationale_purged_at = utcnow()
    audit.record(None, "vetting.note_purged", volunteer, obj=decision, decided_on=decision.decided_on)


# ---------------------------------------------------------------- identity, and what readiness reads


def record_identity_check(volunteer: User, route, documents, names_confirmed: bool, addresses_confirmed: bool,
                          checked_on: date, by: User) -> IdentityCheck:
    """Record that `by` examined the originals on `checked_on`: the route and document types only, never a copy."""
    refuse_own(volunteer.id, by)
    problems = rules_identity.identity_problems(route, documents, names_confirmed, addresses_confirmed)
    if problems:
        raise VettingError("The identity check cannot be recorded: " + "; ".join(problems) + ".")
    row = IdentityCheck(volunteer_id=volunteer.id, route=route, documents=list(documents),
                        names_confirmed=names_confirmed, addresses_confirmed=addresses_confirmed,
                        checked_on=checked_on, checked_by_id=by.id)
    db.session.add(row)
    db.session.flush()
    audit.record(by, "vetting.identity_checked", volunteer, obj=row, route=route.value, checked_on=checked_on)
    return row


def identity_checked(volunteer: User, on: date | None = None) -> bool:
    """Readiness: has this volunteer's identity been checked (on or before `on`, default today)?"""
    on = on or today_london()
    return db.session.scalar(select(IdentityCheck.id).where(
        IdentityCheck.volunteer_id == volunteer.id, IdentityCheck.checked_on <= on).limit(1)) is not None


def approval_conditions(volunteer: User) -> tuple[str, ...]:
    """Readiness and pairing: the condition codes on the approval of the volunteer's current DBS certificate."""
    checks, _ = facts_for(load_records([volunteer.id]).get(volunteer.id, ([], [])))
    current = rules.current_dbs(checks)
    decision = current.latest_decision if current else None
    return decision.conditions if decision and decision.decision == Decision.APPROVED else ()


# ---------------------------------------------------------------- the volunteer's self-declaration


def make_self_declaration(volunteer: User, has_something: bool, details: str | None, on: date | None = None) -> SelfDeclaration:
    """The volunteer's own confidential self-declaration (a new one each time; the latest counts)."""
    if has_something and not (details or "").strip():
        raise VettingError("Tell us what you are declaring, or choose no.")
    row = SelfDeclaration(volunteer_id=volunteer.id, made_on=on or today_london(), has_something=has_something,
                          details=details.strip() if has_something else None)
    db.session.add(row)
    db.session.flush()
    audit.record(volunteer, "vetting.self_declared", volunteer, obj=row)  # no answer in the audit log
    return row


def latest_declaration(volunteer: User) -> SelfDeclaration | None:
    return db.session.scalar(select(SelfDeclaration).where(SelfDeclaration.volunteer_id == volunteer.id)
                             .order_by(SelfDeclaration.made_on.desc(), SelfDeclaration.id.desc()).limit(1))


def self_declaration_state(volunteer: User) -> str:
    """Readiness: "not_made", "nothing_declared" or "declared" (the latest declaration)."""
    row = latest_declaration(volunteer)
    if row is None:
        return "not_made"
    return "declared" if row.has_something else "nothing_declared"


def purge_declaration(row: SelfDeclaration, volunteer: User) -> None:
    """Delete what a self-declaration said (that one was made, and when, are kept), and audit it."""
    row.details = None
    row.details_purged_at = utcnow()
    audit.record(None, "vetting.declaration_purged", volunteer, obj=row, made_on=row.made_on)
