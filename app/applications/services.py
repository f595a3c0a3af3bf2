"""Every application state change, one function each: check, change, audit, queue e-mail, flush."""
import hashlib
import secrets
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import func, or_, select

from app import audit
from app.actions import hold, on_duplicate
from app.applications.models import Application, ApplicationNote, Referee
from app.applications.rules import (
    TERMINAL,
    Action,
    ApplicationError,
    NotDecider,
    Status,
    age_on,
    next_status,
    policy,
)
from app.auth.models import Role, User
from app.auth.services import grant_role
from app.core.models import Area
from app.db_types import utcnow
from app.email import send_email
from app.extensions import db
from app.timefmt import today_london

STEPS = ("about-you", "where-and-when", "experience", "referees", "consents")
VIEWED = "application.viewed"

on_duplicate("applications", "You already have an application in progress. You can see it on your application page.")
on_duplicate("users", "An account with this e-mail address was made a moment ago. Check your e-mail for a message from us.")


def hash_token(token: str) -> str:
    """The SHA-256 of a link token: what is stored instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def application_for(user: User) -> Application | None:
    """The person's latest application, if they have started one."""
    return db.session.scalar(select(Application).where(Application.user_id == user.id)
                             .order_by(Application.id.desc()).limit(1))


def start_application(user: User) -> Application:
    """The person's draft, created the first time they save a step (one application each)."""
    application = application_for(user)
    if application is None:
        application = Application(user=user, status=Status.DRAFT, email=user.email, full_name=user.full_name,
                                  steps_done=[], availability=[], lived_experience=[])
        db.session.add(application)
        db.session.flush()
        audit.record(user, "application.started", user, obj=application)
    return application


# What carries over into a new application; referees and agreements are asked for afresh.
CARRIED_OVER = ("full_name", "preferred_name", "date_of_birth", "phone", "email", "address", "postcode",
                "availability", "availability_note", "motivation", "lived_experience")


def apply_again(user: User) -> Application:
    """After a decline or a withdrawal, start a new draft with the earlier answers filled in to check."""
    previous = application_for(user)
    if previous is None or previous.status not in (Status.DECLINED, Status.WITHDRAWN):
        raise ApplicationError("You already have an application. You can see it on your application page.")
    application = Application(user=user, status=Status.DRAFT, steps_done=[],
                              **{k: getattr(previous, k) for k in CARRIED_OVER})
    application.areas = [a for a in previous.areas if a.active]
    db.session.add(application)
    db.session.flush()
    audit.record(user, "application.started", user, obj=application, previous=previous.id)
    return application


def save_answers(user: User, step: str, values: dict) -> Application:
    """Save one step of the person's draft, starting the draft on the first save."""
    application = application_for(user)
    if application is not None and not application.is_editable:
        raise ApplicationError("Your application has been sent, so it can no longer be changed.")
    application = application or start_application(user)
    save_step(application, step, values)
    return application


def save_step(application: Application, step: str, values: dict) -> None:
    """Save one step of a draft; a sent application cannot be changed."""
    hold(application)
    if not application.is_editable:
        raise ApplicationError("Your application has been sent, so it can no longer be changed.")
    if step == "referees":
        _save_referees(application, values)
    else:
        for key, value in values.items():
            setattr(application, key, value)
    if step not in application.steps_done:
        application.steps_done = [*application.steps_done, step]
    application.updated_at = utcnow()
    db.session.flush()


def _save_referees(application: Application, values: dict) -> None:
    """Update the two referees in place (positions 1 and 2)."""
    for position, prefix in ((1, "one"), (2, "two")):
        referee = next((r for r in application.referees if r.position == position), None)
        if referee is None:
            referee = Referee(position=position)
            application.referees.append(referee)
        referee.name = values[f"{prefix}_name"]
        referee.relationship_kind = values[f"{prefix}_relationship"]
        referee.email = values[f"{prefix}_email"]
        referee.phone = values[f"{prefix}_phone"]


def log_view(viewer: User, application: Application) -> None:
    """Record that a member of staff opened an application (it can hold lived-experience detail)."""
    audit.record(viewer, VIEWED, application.user, obj=application)


def missing_steps(application: Application) -> list[str]:
    """The steps not yet saved, in order."""
    return [s for s in STEPS if s not in application.steps_done]


OWN_ACTIONS = (Action.SUBMIT, Action.WITHDRAW)  # the applicant's own steps; every other is staff's


def refuse_own(application: Application, by: User | None) -> None:
    """Nobody acts as staff on their own application, whatever roles they hold."""
    if by is not None and by.id == application.user_id:
        raise ApplicationError("Nobody can make decisions about their own application. "
                               "Ask another coordinator or a manager.")


def _move(application: Application, action: Action, by: User | None, note: str | None = None, **codes) -> None:
    """Apply one edge of the state machine and audit it (codes only; a note is kept beside, to be purged)."""
    if action not in OWN_ACTIONS:
        refuse_own(application, by)
    old = application.status
    application.status = next_status(old, action)
    _audit_step(by, f"application.{action.value}", application, note,
                from_status=old.value, to_status=application.status.value, **codes)


def _audit_step(by: User | None, action: str, application: Application, note: str | None, **codes) -> None:
    """Audit a step with codes only: free text goes to an ApplicationNote linked to the event."""
    event = audit.record(by, action, application.user, obj=application, **codes)
    if note:
        db.session.add(ApplicationNote(application_id=application.id, audit_event=event, text=note))


def submit_application(application: Application, on: date | None = None, now: datetime | None = None) -> None:
    """Send the application to the coordinators; flags a likely duplicate rather than refusing it."""
    on, now = on or today_london(), now or utcnow()
    hold(application)
    if missing_steps(application):
        raise ApplicationError("Complete every section before you send your application")
    if not (application.consent_data and application.consent_checks):
        raise ApplicationError("Tick both agreements before you send your application")
    if age_on(application.date_of_birth, on) < policy().minimum_age:
        raise ApplicationError(f"You must be {policy().minimum_age} or over on the day you send your application")
    _move(application, Action.SUBMIT, application.user)
    application.submitted_at = now
    duplicates = find_duplicates(application)
    if duplicates:
        for match in (application, *duplicates):  # both sides, so whichever is opened first shows it
            match.possible_duplicate = True
        audit.record(None, "application.duplicate_flagged", application.user, obj=application,
                     matches=[d.id for d in duplicates])
    send_email(application.email, "We have received your application", "applications/submitted",
               application=application, url=url_for("applications.mine", _external=True))
    db.session.flush()


def find_duplicates(application: Application) -> list[Application]:
    """Other sent applications from the same account, with the same e-mail, or the same name and date of birth."""
    same_email = func.lower(Application.email) == (application.email or "").lower()
    same_person = (func.lower(Application.full_name) == (application.full_name or "").lower()) & (
        Application.date_of_birth == application.date_of_birth)
    return list(db.session.scalars(select(Application).where(
        Application.id != application.id, Application.submitted_at.is_not(None),
        or_(Application.user_id == application.user_id, same_email, same_person))))


def start_review(application: Application, by: User, note: str = "") -> None:
    """A coordinator picks the application up."""
    hold(application)
    _move(application, Action.START_REVIEW, by, note=note)
    db.session.flush()


def _send_reference_link(referee: Referee, now: datetime, template: str, subject: str) -> None:
    """Give the referee a new random link (any older one stops working) and e-mail it."""
    token = secrets.token_urlsafe(32)
    referee.token_hash = hash_token(token)
    referee.link_expires_at = now + timedelta(days=policy().reference_link_days)
    send_email(referee.email, subject, template, referee=referee, applicant=referee.application,
               url=url_for("applications.reference", token=token, _external=True), expires=referee.link_expires_at)


def request_references(application: Application, by: User, note: str = "", now: datetime | None = None) -> None:
    """E-mail each referee a unique, expiring, single-use link to the reference form."""
    now = now or utcnow()
    hold(application)
    if any(r.requested_at for r in application.referees):
        raise ApplicationError("References have already been requested. Use 'Send a reminder' to chase one.")
    _move(application, Action.REQUEST_REFERENCES, by, note=note)
    for referee in application.referees:
        referee.requested_at = now
        _send_reference_link(referee, now, "applications/reference_request",
                             f"Reference request for {application.name}")
    db.session.flush()


def chase_reference(referee: Referee, by: User, now: datetime | None = None) -> None:
    """Send a reminder with a fresh link (the old one stops working)."""
    now = now or utcnow()
    hold(referee)
    refuse_own(referee.application, by)
    if referee.requested_at is None or referee.received_at is not None:
        raise ApplicationError("Only a requested reference that has not arrived can be chased.")
    if referee.application.status not in (Status.REFERENCES_REQUESTED, Status.CHAT_BOOKED, Status.CHAT_HELD):
        raise ApplicationError("This application is no longer open.")
    referee.chased_at = now
    _send_reference_link(referee, now, "applications/reference_reminder",
                         f"Reminder: reference for {referee.application.name}")
    audit.record(by, "application.reference_chased", referee.application.user, obj=referee.application,
                 referee=referee.position)
    db.session.flush()


def referee_for_token(token: str) -> Referee | None:
    """The referee a link belongs to (only the hash is looked up), or None."""
    return db.session.scalar(select(Referee).where(Referee.token_hash == hash_token(token)))


def submit_reference(referee: Referee, answers: dict, now: datetime | None = None) -> None:
    """Store a referee's answers; the link then stops working."""
    now = now or utcnow()
    hold(referee)
    if not referee.link_usable(now) or referee.application.status in TERMINAL:
        raise ApplicationError("This link has already been used, has expired, or is no longer needed.")
    referee.answers = answers
    referee.received_at = now
    audit.record(None, "application.reference_received", referee.application.user, obj=referee.application,
                 referee=referee.position)
    db.session.flush()


def record_reference_outcome(referee: Referee, satisfactory: bool, note: str, by: User) -> None:
    """A coordinator records whether a received reference is satisfactory."""
    hold(referee)
    refuse_own(referee.application, by)
    if referee.received_at is None:
        raise ApplicationError("The reference has not arrived yet.")
    if referee.application.status not in (Status.REFERENCES_REQUESTED, Status.CHAT_BOOKED, Status.CHAT_HELD):
        raise ApplicationError("This application is no longer open.")
    referee.satisfactory, referee.assessed_by_id, referee.assessed_at = satisfactory, by.id, utcnow()
    # Whether it was satisfactory stays on the referee's row, not in the audit log.
    _audit_step(by, "application.reference_assessed", referee.application, note, referee=referee.position)
    db.session.flush()


def book_chat(application: Application, day: date, note: str, by: User) -> None:
    """Book the informal chat and let the applicant know."""
    hold(application)
    _move(application, Action.BOOK_CHAT, by, day=day.isoformat(), note=note)
    application.chat_booked_for, application.chat_booking_note = day, note
    send_email(application.email, "A chat about volunteering with us", "applications/chat_booked",
               application=application)
    db.session.flush()


def record_chat(application: Application, held_on: date, outcome: str, notes: str, by: User) -> None:
    """Record the informal chat: date, outcome and notes."""
    hold(application)
    _move(application, Action.RECORD_CHAT, by, held_on=held_on.isoformat(), outcome=outcome)
    application.chat_held_on, application.chat_outcome, application.chat_notes = held_on, outcome, notes
    db.session.flush()


def not_decider_message(application: Application) -> str:
    areas = ", ".join(a.name for a in application.areas) or "the applicant's areas"
    return f"Only a coordinator for {areas}, or a manager, can make the final decision on this application."


def check_decider(application: Application, by: User) -> None:
    """Refuse a decision by someone who is neither a coordinator for one of its areas nor a manager."""
    if not application.can_decide(by):
        raise NotDecider(not_decider_message(application))


def accept_application(application: Application, by: User, note: str = "", now: datetime | None = None) -> None:
    """Accept: the person becomes a volunteer in the areas they chose, and starts onboarding."""
    hold(application)
    refuse_own(application, by)
    next_status(application.status, Action.ACCEPT)  # an illegal move is refused before anything else
    check_decider(application, by)
    blockers = application.accept_blockers
    if blockers:
        raise ApplicationError(". ".join(blockers))
    _move(application, Action.ACCEPT, by, note=note)
    application.decided_at, application.decided_by_id = now or utcnow(), by.id
    person = application.user
    if not person.has_role(Role.VOLUNTEER):
        grant_role(person, Role.VOLUNTEER, by)
    person.areas = sorted({*person.areas, *application.areas}, key=lambda a: (a.position, a.id))
    send_email(application.email, "Welcome to the team", "applications/accepted", application=application,
               url=url_for("core.home", _external=True))
    db.session.flush()


def decline_application(application: Application, reason: str, note: str, by: User, now: datetime | None = None) -> None:
    """Decline with a reason category and note; the applicant gets a kind e-mail."""
    hold(application)
    refuse_own(application, by)
    next_status(application.status, Action.DECLINE)
    check_decider(application, by)
    _move(application, Action.DECLINE, by)  # the reason and note stay on the application, not in the audit log
    application.decline_reason, application.decline_note = reason, note
    application.decided_at, application.decided_by_id = now or utcnow(), by.id
    send_email(application.email, "Your application to be a peer mentor", "applications/declined",
               application=application)
    db.session.flush()


def withdraw_application(application: Application, by: User, reason: str = "") -> None:
    """The applicant withdraws, at any point before acceptance."""
    hold(application)
    _move(application, Action.WITHDRAW, by, note=reason)
    application.decided_at = utcnow()
    for referee in application.referees:
        referee.link_expires_at = None  # outstanding reference links stop working
    send_email(application.email or application.user.email, "You have withdrawn your application",
               "applications/withdrawn", application=application,
               url=url_for("applications.mine", _external=True))
    db.session.flush()


def active_areas() -> list[Area]:
    """The areas offered to applicants, in the scheme's order."""
    return list(db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.position)))


def open_count_in_areas(user: User) -> int:
    """How many sent applications in the person's areas are waiting for a decision."""
    from app.applications.queries import QueueFilter, open_count

    ids = [a.id for a in user.areas]
    return open_count(QueueFilter(area="mine", staff_id=user.id), ids) if ids else 0

