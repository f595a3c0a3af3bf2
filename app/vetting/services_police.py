"""Police vetting (NPPV) state changes: the application, the force's answer, and aftercare (changes of
circumstances sent back to the force for review). The same shape as services.py."""
from datetime import date

from app import audit
from app.actions import hold
from app.auth.models import User
from app.extensions import db
from app.vetting import rules
from app.vetting.enums import NppvOutcome, ReviewOutcome
from app.vetting.models import NppvChange, PoliceVetting
from app.vetting.policy import VettingPolicy, current_policy
from app.vetting.services import VettingError, _volunteer, refuse_own


def submit_police_vetting(volunteer: User, level, force_reference: str, submitted_on: date, by: User) -> PoliceVetting:
    """Record a police vetting application sent to the force."""
    refuse_own(volunteer.id, by)
    record = PoliceVetting(volunteer_id=volunteer.id, level=level, force_reference=force_reference,
                           submitted_on=submitted_on, recorded_by_id=by.id)
    db.session.add(record)
    db.session.flush()
    audit.record(by, "vetting.nppv_submitted", volunteer, obj=record, level=level)
    return record


def record_police_outcome(record: PoliceVetting, outcome: NppvOutcome, outcome_on: date, by: User,
                          policy: VettingPolicy | None = None, expires_on: date | None = None) -> None:
    """Record the force's answer: granted (expiry from the clearance letter, else the level's validity in
    policy), refused, or a later withdrawal."""
    refuse_own(record.volunteer_id, by)
    hold(record)
    if outcome not in record.next_outcomes:
        now = record.outcome.label.lower() if record.outcome else "waiting for a result"
        raise VettingError(f"Police vetting that is {now} cannot be recorded as {outcome.label.lower()}.")
    if outcome == NppvOutcome.GRANTED:
        if expires_on is not None and expires_on <= outcome_on:
            raise VettingError("The expiry date on the clearance letter must be after the date granted.")
        record.granted_on = outcome_on
        record.expires_on = rules.nppv_expiry(outcome_on, policy or current_policy(), record.level, expires_on)
    record.outcome, record.outcome_on = outcome, outcome_on
    # Granted, refused or withdrawn stays on the record: in the audit log (admins read it) it could tell of adverse
    # information.
    audit.record(by, "vetting.nppv_outcome", _volunteer(record), obj=record, outcome_on=outcome_on)
    db.session.flush()


def report_nppv_change(record: PoliceVetting, kind, reported_on: date, by: User) -> NppvChange:
    """Record a change of circumstances the holder reported (aftercare): the clearance goes back for review."""
    refuse_own(record.volunteer_id, by)
    hold(record)
    if record.outcome != NppvOutcome.GRANTED:
        raise VettingError("Changes of circumstances are recorded against a clearance that was granted.")
    if reported_on < record.granted_on:
        raise VettingError("The change must be reported on or after the date the clearance was granted.")
    row = NppvChange(kind=kind, reported_on=reported_on, recorded_by_id=by.id)
    record.changes.append(row)
    db.session.flush()
    # The kind stays on the record: in the audit log (admins read it) it could tell of police contact.
    audit.record(by, "vetting.nppv_change_reported", _volunteer(record), obj=row, reported_on=reported_on)
    return row


def record_nppv_review(change: NppvChange, outcome: ReviewOutcome, reviewed_on: date, by: User) -> None:
    """Record the force's review of a reported change: the clearance continues, or is withdrawn."""
    record = change.vetting
    refuse_own(record.volunteer_id, by)
    hold(record)
    if change.reviewed_on is not None:
        raise VettingError("This change has already been reviewed.")
    if reviewed_on < change.reported_on:
        raise VettingError("The review date must be on or after the date the change was reported.")
    change.reviewed_on, change.review_outcome, change.reviewed_by_id = reviewed_on, outcome, by.id
    if outcome == ReviewOutcome.WITHDRAWN and record.outcome == NppvOutcome.GRANTED:
        record.outcome, record.outcome_on = NppvOutcome.WITHDRAWN, reviewed_on
    audit.record(by, "vetting.nppv_change_reviewed", _volunteer(record), obj=change, reviewed_on=reviewed_on)
    db.session.flush()
