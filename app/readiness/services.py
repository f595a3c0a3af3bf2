"""Every readiness write, one function each: hold, check, change, audit, queue e-mail, flush.

The agreement, the induction meeting and the emergency contact; release, stand-down, suspension and pause.
"""
from datetime import date

from sqlalchemy import select

from app import audit
from app.actions import hold, on_duplicate
from app.auth.models import Role, User, UserRole
from app.core.models import Area
from app.db_types import utcnow
from app.email import send_email
from app.errors import DomainError
from app.extensions import db
from app.readiness import queries, rules
from app.readiness.models import (
    AgreementSignature,
    EmergencyContact,
    Induction,
    MentorStanding,
    StandDown,
    Standing,
)
from app.readiness.policy import current_policy
from app.timefmt import today_london
from app.urls import external_url


class ReadinessError(DomainError):
    """A readiness action that is not allowed now; the message says why."""


on_duplicate("readiness_agreements", "You have already signed this version of the agreement.")
on_duplicate("mentor_standings", "Someone else changed this volunteer's standing a moment ago, so nothing was saved. "
             "Look at their readiness again.")
on_duplicate("readiness_stand_downs", "This volunteer was stood down a moment ago.")
on_duplicate("readiness_warnings", "This warning was sent a moment ago.")


def _refuse_own(volunteer: User, by: User) -> None:
    if volunteer.id == by.id:
        raise ReadinessError("Nobody decides about their own readiness: another coordinator must do this.")


def _refuse_unless_decider(volunteer: User, by: User) -> None:
    _refuse_own(volunteer, by)
    if not MentorStanding.can_decide(by, volunteer):
        raise ReadinessError("Only a coordinator covering one of this volunteer's areas, or a manager, can do this.")


def standing_row(volunteer: User) -> MentorStanding:
    """The volunteer's standing row, made (not yet released) the first time it is needed."""
    row = db.session.scalar(select(MentorStanding).where(MentorStanding.volunteer_id == volunteer.id))
    if row is None:
        row = MentorStanding(volunteer_id=volunteer.id, status=Standing.NOT_RELEASED, release_count=0)
        db.session.add(row)
        db.session.flush()
    return row


def coordinators_of(volunteer: User) -> list[User]:
    """Active coordinators covering any of the volunteer's areas."""
    area_ids = [a.id for a in volunteer.areas]
    if not area_ids:
        return []
    return list(db.session.scalars(select(User).where(
        User.role_grants.any(UserRole.role == Role.COORDINATOR), User.deactivated_at.is_(None),
        User.areas.any(Area.id.in_(area_ids)), User.id != volunteer.id).order_by(User.id)))


# ---------------------------------------------------------------- the volunteer's own records


def sign_agreement(volunteer: User, typed_name: str, on: date | None = None) -> AgreementSignature:
    """The volunteer signs the current version of the agreement with their typed name."""
    version = current_policy().agreement_version
    signature = AgreementSignature(volunteer_id=volunteer.id, version=version, typed_name=typed_name,
                                   signed_on=on or today_london())
    db.session.add(signature)
    db.session.flush()
    audit.record(volunteer, "readiness.agreement_signed", volunteer, obj=signature, version=version)
    return signature


def save_emergency_contact(volunteer: User, name: str, relationship_kind: str, phone: str) -> EmergencyContact:
    """The volunteer adds or changes their emergency contact (looked up afresh, so a retry keeps what they typed)."""
    contact = db.session.scalar(select(EmergencyContact).where(EmergencyContact.volunteer_id == volunteer.id))
    if contact is None:
        contact = EmergencyContact(volunteer_id=volunteer.id)
        db.session.add(contact)
    contact.name, contact.relationship_kind, contact.phone = name, relationship_kind, phone
    contact.updated_at = utcnow()
    db.session.flush()
    audit.record(volunteer, "readiness.emergency_contact_saved", volunteer, obj=contact)
    return contact


def record_induction(volunteer: User, held_on: date, supervisor: User, by: User) -> Induction:
    """A coordinator records the induction meeting and names the volunteer's supervisor."""
    _refuse_unless_decider(volunteer, by)
    if supervisor.id == volunteer.id:
        raise ReadinessError("A volunteer cannot be their own supervisor.")
    induction = Induction(volunteer_id=volunteer.id, held_on=held_on, supervisor_id=supervisor.id, recorded_by_id=by.id)
    db.session.add(induction)
    db.session.flush()
    audit.record(by, "readiness.induction_recorded", volunteer, obj=induction, held_on=held_on,
                 supervisor_id=supervisor.id)
    return induction


# ---------------------------------------------------------------- release and stand-down


def release_volunteer(volunteer: User, by: User, on: date | None = None) -> MentorStanding:
    """Release a volunteer to client work: refused unless every gate passes that day, naming those that do not."""
    on = on or today_london()
    row = standing_row(volunteer)
    hold(row)
    _refuse_unless_decider(volunteer, by)
    if row.status == Standing.RELEASED:
        raise ReadinessError(f"{volunteer.display_name} is already released to client work.")
    if row.status in (Standing.SUSPENDED, Standing.PAUSED):
        raise ReadinessError(f"{volunteer.display_name} is {row.status.label.lower()}: lift that first.")
    readiness = queries.readiness_of(volunteer, on)
    problems = rules.release_problems(readiness)
    if problems:
        raise ReadinessError("Cannot release yet. These gates are not passed: " + "; ".join(problems) + ".")
    row.status, row.released_on, row.released_by_id = Standing.RELEASED, on, by.id
    row.first_released_on = row.first_released_on or on
    row.release_count += 1
    row.changed_at, row.changed_by_id = utcnow(), by.id
    audit.record(by, "readiness.released", volunteer, obj=row, released_on=on, release=row.release_count,
                 gates=[o.code for o in readiness.outcomes])
    send_email(volunteer.email, "You are released to mentor clients", "readiness/released", volunteer=volunteer,
               by=by, url=external_url("core.home"))
    db.session.flush()
    return row


def stand_down(row: MentorStanding, gate_codes: list[str], on: date, digest: list | None = None) -> StandDown:
    """The daily sweep stands down a released volunteer whose gates fail; once per release (a unique row).

    With `digest` (a list), the coordinators are not e-mailed here: (coordinator, what to tell them) is added to
    it, for the sweep's one digest per coordinator."""
    hold(row)
    if row.status != Standing.RELEASED:
        raise ReadinessError("This volunteer is no longer released.")
    volunteer = db.session.get(User, row.volunteer_id)
    record = StandDown(volunteer_id=volunteer.id, release_number=row.release_count, stood_down_on=on,
                       gate_codes=list(gate_codes))
    db.session.add(record)
    row.status, row.changed_at, row.changed_by_id = Standing.STOOD_DOWN, utcnow(), None
    db.session.flush()
    audit.record(None, "readiness.stood_down", volunteer, obj=record, gates=list(gate_codes), on=on)
    from app.readiness.services_pairing import flag_pairings  # pairing builds on these services

    pairings = flag_pairings(volunteer.id, on)
    policy = current_policy()
    gates = [policy.gate(code).staff if policy.gate(code) else code for code in gate_codes]
    url = external_url("core.home")
    send_email(volunteer.email, "You are stood down from client work for now", "readiness/stood_down_volunteer",
               volunteer=volunteer, gates=gates, url=url)
    for coordinator in coordinators_of(volunteer):
        if digest is not None:
            digest.append((coordinator.id, coordinator.email, {
                "name": volunteer.display_name, "stood_down": True, "gates": gates,
                "pairings": [f"client {p.client.reference}, with {p.partner_of(volunteer).display_name}"
                             for p in pairings],
                "url": external_url("readiness.person", user_id=volunteer.id)}))
            continue
        send_email(coordinator.email, f"{volunteer.display_name} is stood down", "readiness/stood_down_coordinator",
                   volunteer=volunteer, gates=gates, url=external_url("readiness.person", user_id=volunteer.id),
                   pairings=pairings)
    return record


def suspend_volunteer(volunteer: User, by: User) -> MentorStanding:
    """A coordinator suspends a volunteer (a safeguarding concern): not released until a manager lifts it."""
    row = standing_row(volunteer)
    hold(row)
    _refuse_unless_decider(volunteer, by)
    if row.status == Standing.SUSPENDED:
        raise ReadinessError(f"{volunteer.display_name} is already suspended.")
    previous = row.status
    row.status, row.changed_at, row.changed_by_id = Standing.SUSPENDED, utcnow(), by.id
    audit.record(by, "readiness.suspended", volunteer, obj=row, previous=previous)
    db.session.flush()
    return row


def lift_suspension(volunteer: User, by: User) -> MentorStanding:
    """Only a manager lifts a suspension; the volunteer then needs releasing again."""
    row = standing_row(volunteer)
    hold(row)
    _refuse_own(volunteer, by)
    if not MentorStanding.can_lift_suspension(by, volunteer):
        raise ReadinessError("Only a manager can lift a suspension.")
    if row.status != Standing.SUSPENDED:
        raise ReadinessError(f"{volunteer.display_name} is not suspended.")
    row.status, row.changed_at, row.changed_by_id = Standing.NOT_RELEASED, utcnow(), by.id
    audit.record(by, "readiness.suspension_lifted", volunteer, obj=row)
    db.session.flush()
    return row


def pause_volunteer(volunteer: User, by: User) -> MentorStanding:
    """The volunteer (a sabbatical) or their coordinator records a pause: not released while paused."""
    row = standing_row(volunteer)
    hold(row)
    if by.id != volunteer.id:
        _refuse_unless_decider(volunteer, by)
    if row.status in (Standing.PAUSED, Standing.SUSPENDED):
        raise ReadinessError(f"{volunteer.display_name} is already {row.status.label.lower()}.")
    previous = row.status
    row.status, row.changed_at, row.changed_by_id = Standing.PAUSED, utcnow(), by.id
    audit.record(by, "readiness.paused", volunteer, obj=row, previous=previous)
    db.session.flush()
    return row


def end_pause(volunteer: User, by: User) -> MentorStanding:
    """The pause ends (the volunteer or their coordinator); a coordinator then releases them again."""
    row = standing_row(volunteer)
    hold(row)
    if by.id != volunteer.id:
        _refuse_unless_decider(volunteer, by)
    if row.status != Standing.PAUSED:
        raise ReadinessError(f"{volunteer.display_name} is not paused.")
    row.status, row.changed_at, row.changed_by_id = Standing.NOT_RELEASED, utcnow(), by.id
    audit.record(by, "readiness.pause_ended", volunteer, obj=row)
    db.session.flush()
    return row
