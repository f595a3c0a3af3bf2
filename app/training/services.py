"""Every training state change: scheduling sessions, booking, waitlists and cancellations.

Services check the current state, change the data, write the audit log, queue e-mails, and flush.
The view commits once.
"""
from datetime import date, datetime

from sqlalchemy import func, select

from app import audit
from app.actions import Conflict, hold, on_duplicate
from app.auth.models import Role
from app.db_types import utcnow
from app.email import send_email
from app.errors import DomainError
from app.extensions import db
from app.timefmt import to_london
from app.training import calendar, rules
from app.training import services_seats as seats
from app.training.models import (
    Booking,
    BookingStatus,
    CalendarFeed,
    Completion,
    Course,
    SessionStatus,
    TrainingSession,
    new_feed_token,
)
from app.training.policy import policy
from app.urls import portal_url_context


class TrainingError(DomainError):
    """A training action that is not allowed in the current state; the message is shown to the person."""


on_duplicate("training_bookings", "You are already booked on this session, or on its waiting list.")


# ------------------------------------------------------------------ completions

def completions_of(user) -> list[Completion]:
    """Every completion a person has, newest first (earlier ones are kept)."""
    return list(db.session.scalars(select(Completion).where(Completion.user_id == user.id)
                                   .order_by(Completion.completed_on.desc(), Completion.id.desc())))


def current_completions(volunteer, on: date | None = None) -> dict[str, Completion]:
    """The courses this person completed and which are still current on `on`, by course code.

    Where a course was completed more than once, the completion lasting longest is given.
    """
    on = on or date.today()
    current: dict[str, Completion] = {}
    for completion in completions_of(volunteer):
        if not completion.current_on(on):
            continue
        best = current.get(completion.course.code)
        if best is None or (best.expires_on is not None and
                            (completion.expires_on is None or completion.expires_on > best.expires_on)):
            current[completion.course.code] = completion
    return current


def expiry_for(user_id: int, course: Course, day: date) -> date | None:
    """The expiry of a completion of `course` on `day`, keeping the cover of a current one (refresher rule)."""
    if course.validity_months is None:
        return None
    current = db.session.scalar(select(func.max(Completion.expires_on)).where(
        Completion.user_id == user_id, Completion.course_id == course.id, Completion.completed_on <= day,
        Completion.expires_on > day))
    return rules.renewed_expiry(day, course.validity_months, current, policy().recertify_window)


# ------------------------------------------------------------------ eligibility

def eligibility(session: TrainingSession, user, now: datetime | None = None) -> rules.Eligibility:
    """Whether this person may book this session now, and why not."""
    now = now or utcnow()
    course = session.course
    day = to_london(session.starts_at).date()
    completions = completions_of(user)
    current = {c.course.code: c.expires_on for c in completions if c.current_on(day)}
    titles = dict(db.session.execute(select(Course.code, Course.title).where(Course.code.in_(course.prerequisites))).all()) \
        if course.prerequisites else {}
    clash = db.session.scalar(
        select(Booking.id).join(Booking.session)
        .where(Booking.user_id == user.id, Booking.status != BookingStatus.CANCELLED,
               Booking.session_id != session.id, TrainingSession.status == SessionStatus.SCHEDULED,
               TrainingSession.starts_at < session.ends_at, TrainingSession.ends_at > session.starts_at).limit(1))
    same_course = None
    if session.starts_at > utcnow():  # a walk-in on the day is not a second booking
        same_course = db.session.scalar(
            select(TrainingSession.starts_at).join(Booking.session)
            .where(Booking.user_id == user.id, Booking.status != BookingStatus.CANCELLED,
                   Booking.session_id != session.id, TrainingSession.course_id == session.course_id,
                   TrainingSession.part == session.part,  # each part of a course in parts is its own place
                   TrainingSession.status == SessionStatus.SCHEDULED, TrainingSession.starts_at > now)
            .order_by(TrainingSession.starts_at).limit(1))
    return rules.booking_eligibility(
        same_course_booked_on=to_london(same_course).date() if same_course else None,
        is_volunteer=user.has_role(Role.VOLUNTEER), prerequisites=course.prerequisites, prerequisite_titles=titles,
        completed_current=current, completed_ever={c.course.code for c in completions}, course_code=course.code,
        course_expires=course.validity_months is not None, session_day=day, overlaps=clash is not None,
        started=session.phase(now) is rules.Phase.STARTED, cancelled=session.cancelled, policy=policy(),
        is_trainer=session.is_trainer(user), applicant=_applicant_state(user),
        open_to_applicants=course.open_to_applicants)


def _applicant_state(user) -> str | None:
    """None for someone not applying; "open" once their application is sent and until it is decided."""
    if not user.has_role(Role.APPLICANT):
        return None
    from app.applications.models import Application
    from app.applications.rules import OPEN

    status = db.session.scalar(select(Application.status).where(Application.user_id == user.id))
    return "open" if status in OPEN else "not_sent"


# ------------------------------------------------------------------ e-mails

def _send_invite(booking: Booking, subject: str, template: str, method: str = "REQUEST", **context) -> None:
    with portal_url_context():
        _send_invite_now(booking, subject, template, method, **context)


def _send_invite_now(booking: Booking, subject: str, template: str, method: str, **context) -> None:
    data = calendar.invitation(booking.session, booking.user.email, booking.user.display_name,
                               booking.ical_sequence, method)
    content_type = f"text/calendar; method={method}"
    send_email(booking.user.email, subject, f"training/{template}", attachments=[("invite.ics", content_type, data)],
               booking=booking, session=booking.session, person=booking.user, **context)


def _send_plain(booking: Booking, subject: str, template: str, **context) -> None:
    with portal_url_context():
        send_email(booking.user.email, subject, f"training/{template}", booking=booking, session=booking.session,
                   person=booking.user, **context)


# ------------------------------------------------------------------ sessions

def _check_part(course: Course, part: int) -> None:
    if not 1 <= part <= course.parts:
        raise TrainingError(f"{course.title} is one course, not in parts: choose part 1." if course.parts == 1
                            else f"{course.title} has {course.parts} parts: choose a part from 1 to {course.parts}.")


def schedule_session(course: Course, starts_at: datetime, ends_at: datetime, *, venue, online_link: str | None,
                     capacity: int, trainers: list, notes: str, by, part: int = 1) -> TrainingSession:
    """Put a new session of a course (or of one part of it) in the calendar."""
    if ends_at <= starts_at:
        raise TrainingError("The session must end after it starts.")
    _check_part(course, part)
    if starts_at <= utcnow():
        raise TrainingError("That start time has already passed. Choose a time later today or another day.")
    session = TrainingSession(course=course, part=part, starts_at=starts_at, ends_at=ends_at, venue=venue,
                              online_link=online_link or None, capacity=capacity, trainers=list(trainers),
                              notes=notes or "", seats_taken=0, sequence=0, created_by_id=by.id)
    db.session.add(session)
    db.session.flush()
    audit.record(by, "training.session_scheduled", obj=session, course=course.code, part=part,
                 starts_at=starts_at.isoformat(), capacity=capacity)
    return session


def active_bookings(session: TrainingSession) -> list[Booking]:
    """Booked and waitlisted people, in arrival order."""
    return list(db.session.scalars(select(Booking).where(Booking.session_id == session.id,
                                                         Booking.status != BookingStatus.CANCELLED)
                                   .order_by(Booking.queued_at, Booking.id)))


def _refuse_unless_upcoming(session: TrainingSession, now: datetime, doing: str) -> None:
    phase = session.phase(now)
    if phase is rules.Phase.CANCELLED:
        raise TrainingError(f"This session has been cancelled, so {doing}.")
    if phase is rules.Phase.STARTED:
        raise TrainingError(f"This session has started, so {doing}.")


def update_session(session: TrainingSession, *, starts_at: datetime, ends_at: datetime, venue, online_link,
                   capacity: int, trainers: list, notes: str, by, now: datetime | None = None,
                   part: int | None = None) -> list[str]:
    """Change a session; everyone booked gets an updated invitation. Returns the names of what changed."""
    now = now or utcnow()
    hold(session)
    if part is not None and part != session.part:
        raise TrainingError("Which part a session is cannot change once it is scheduled: cancel it and schedule "
                            "the right part.")
    _refuse_unless_upcoming(session, now, "it can no longer be changed")
    if starts_at <= now:
        raise TrainingError("That start time has already passed. Choose a time later today or another day.")
    if capacity < session.seats_taken:
        raise TrainingError(f"Capacity cannot be less than the {session.seats_taken} people already booked.")
    changes = {"starts_at": starts_at, "ends_at": ends_at, "venue": venue, "online_link": online_link or None,
               "capacity": capacity, "notes": notes or ""}
    changed = [k for k, v in changes.items() if getattr(session, k) != v]
    if {t.id for t in session.trainers} != {t.id for t in trainers}:
        changed.append("trainers")
    for key, value in changes.items():
        setattr(session, key, value)
    session.trainers = list(trainers)
    if not changed:
        return []
    session.sequence += 1
    db.session.flush()
    audit.record(by, "training.session_changed", obj=session, changed=changed)
    if {"starts_at", "ends_at", "venue", "online_link", "notes"} & set(changed):
        for booking in active_bookings(session):
            if booking.status is BookingStatus.BOOKED:
                booking.ical_sequence = max(booking.ical_sequence + 1, session.sequence)
                _send_invite(booking, f"Changed: {session.title}", "session_changed", changed=changed)
            else:
                _send_plain(booking, f"Changed: {session.title}", "session_changed", changed=changed)
    promote_waitlist(session, now=now)
    return changed


def cancel_session(session: TrainingSession, reason: str, by, now: datetime | None = None) -> None:
    """Cancel a session; everyone booked or waiting is told, with a calendar cancellation."""
    now = now or utcnow()
    hold(session)
    if session.cancelled:
        raise TrainingError("This session is already cancelled.")
    _refuse_unless_upcoming(session, now, "it cannot be cancelled")
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    for booking in active_bookings(session):
        was_booked = booking.status is BookingStatus.BOOKED
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
        audit.record(by, "training.booking_cancelled", booking.user, obj=booking, reason="session cancelled")
        if was_booked:
            booking.ical_sequence = max(booking.ical_sequence + 1, session.sequence)
            _send_invite(booking, f"Cancelled: {session.title}", "session_cancelled", "CANCEL", reason=reason)
        else:
            _send_plain(booking, f"Cancelled: {session.title}", "session_cancelled", reason=reason)
    db.session.flush()
    seats.clear(session)
    audit.record(by, "training.session_cancelled", obj=session, reason=reason)


# ------------------------------------------------------------------ bookings

def book_session(session: TrainingSession, user, now: datetime | None = None) -> Booking:
    """Book a seat, or join the waiting list when the session is full. The person gets an e-mail either way."""
    now = now or utcnow()
    verdict = eligibility(session, user, now)
    if not verdict.ok:
        raise TrainingError(verdict.reason)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    try:
        got_seat = seats.take(session, now)
    except seats.SessionClosed:
        db.session.refresh(session)
        _refuse_unless_upcoming(session, now, "it can no longer be booked")
        raise
    if booking is None:
        booking = Booking(session=session, user=user, ical_sequence=session.sequence)
        db.session.add(booking)
    else:
        hold(booking)
        if booking.active:
            raise TrainingError("You are already booked on this session." if booking.status is BookingStatus.BOOKED
                                else "You are already on the waiting list for this session.")
        booking.cancelled_at, booking.ical_sequence = None, max(booking.ical_sequence + 1, session.sequence)
    booking.status = BookingStatus.BOOKED if got_seat else BookingStatus.WAITLISTED
    booking.queued_at = now
    db.session.flush()
    audit.record(user, f"training.{booking.status.value}", user, obj=booking, session_id=session.id)
    if got_seat:
        _send_invite(booking, f"You are booked: {session.title}", "booked")
    else:
        _send_plain(booking, f"You are on the waiting list: {session.title}", "waitlisted")
    return booking


def cancel_booking(booking: Booking, by, now: datetime | None = None) -> None:
    """Give up a place (or leave the waiting list); a freed seat goes to the next person waiting."""
    now = now or utcnow()
    session = booking.session
    seats.lock(session)  # the session row first, then the booking: the one lock order
    hold(booking)
    if not booking.active:
        raise TrainingError("This booking is already cancelled.")
    _refuse_unless_upcoming(session, now, "the booking can no longer be cancelled")
    was_booked = booking.status is BookingStatus.BOOKED
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    audit.record(by, "training.booking_cancelled", booking.user, obj=booking, session_id=session.id)
    if was_booked:
        booking.ical_sequence += 1
        _send_invite(booking, f"Booking cancelled: {session.title}", "booking_cancelled", "CANCEL")
        db.session.flush()
        seats.give_back(session)
        promote_waitlist(session, now=now)
    else:
        _send_plain(booking, f"You have left the waiting list: {session.title}", "booking_cancelled")
    db.session.flush()


def promote_waitlist(session: TrainingSession, now: datetime | None = None) -> list[Booking]:
    """Give free seats to the people waiting, in arrival order; never once the session has started."""
    now = now or utcnow()
    if session.phase(now) is not rules.Phase.UPCOMING:
        return []
    promoted = []
    for booking in [b for b in active_bookings(session) if b.status is BookingStatus.WAITLISTED]:
        try:
            hold(booking)
        except Conflict:
            continue  # they left the waiting list this moment
        verdict = eligibility(session, booking.user, now)
        if not verdict.ok:  # since they joined: completed it, lost the volunteer role, booked something clashing
            _skip_waiting(booking, verdict.reason, now)
            continue
        try:
            if not seats.take(session, now):
                break
        except seats.SessionClosed:
            break
        booking.status = BookingStatus.BOOKED
        booking.ical_sequence = max(booking.ical_sequence, session.sequence)
        audit.record(None, "training.promoted_from_waitlist", booking.user, obj=booking, session_id=session.id)
        _send_invite(booking, f"You now have a place: {session.title}", "promoted")
        promoted.append(booking)
    db.session.flush()
    return promoted


def _skip_waiting(booking: Booking, reason: str, now: datetime) -> None:
    """Take someone who can no longer have the place off the waiting list, and tell them why."""
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    audit.record(None, "training.waitlist_skipped", booking.user, obj=booking, session_id=booking.session_id)
    _send_plain(booking, f"A place came up, but you cannot take it: {booking.session.title}",
                "waitlist_skipped", reason=reason)


def save_venue(venue, *, by, **values):
    """Add a venue (venue=None) or change one."""
    from app.training.models import Venue

    if venue is None:
        venue = Venue(**values)
        db.session.add(venue)
    else:
        for key, value in values.items():
            setattr(venue, key, value)
    db.session.flush()
    audit.record(by, "training.venue_saved", obj=venue, name=venue.name)
    return venue


# ------------------------------------------------------------------ calendar feeds

def feed_for(user, create: bool = True) -> CalendarFeed | None:
    """The person's private calendar feed, made on first use."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None and create:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
        db.session.flush()
    return feed


def regenerate_feed(user) -> CalendarFeed:
    """Give the feed a new random address; the old one stops working at once."""
    feed = feed_for(user)
    feed.token, feed.created_at = new_feed_token(), utcnow()
    audit.record(user, "training.feed_regenerated", user, obj=feed)
    db.session.flush()
    return feed
