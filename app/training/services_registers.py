"""Attendance registers, the completions they record, knowledge checks, and calendar feed tokens."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.actions import hold
from app.auth.models import Role, User
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import format_datetime, to_london
from app.training import rules
from app.training import services_seats as seats
from app.training.models import (
    Attendance,
    Booking,
    BookingStatus,
    Completion,
    CompletionSource,
    Course,
    SessionStatus,
    TrainingSession,
)
from app.training.services import TrainingError, active_bookings, eligibility, expiry_for, policy


def _check_can_mark(session: TrainingSession, by, now: datetime) -> str:
    state = session.register_state(now)
    if session.cancelled:
        raise TrainingError("This session was cancelled, so there is no register.")
    if not session.can_mark_register(by, now):
        if state == "not_open":
            raise TrainingError("The register opens shortly before the session starts.")
        raise TrainingError("The register has closed. Ask a coordinator if it needs changing.")
    return state


def _counts(booking: Booking) -> bool:
    """A booked place marked in a way that counts as attending (late within the allowance included)."""
    allowed = policy().allowance_for(booking.session.course.code)
    return booking.status is BookingStatus.BOOKED and rules.counts_as_attended(
        booking.attendance.value, booking.minutes_missed, allowed)


def _record_completion(booking: Booking, day: date, by, now: datetime) -> None:
    """Record a completion from a register, and issue its certificate in the same transaction."""
    from app.certificates import services as certificates

    course = booking.session.course
    completion = Completion(user_id=booking.user_id, course=course, completed_on=day,
                            expires_on=expiry_for(booking.user_id, course, day),
                            source=CompletionSource.ATTENDANCE, booking_id=booking.id,
                            recorded_by_id=getattr(by, "id", None), recorded_at=now)
    db.session.add(completion)
    db.session.flush()
    audit.record(by, "training.completion_recorded", booking.user, obj=booking, course=course.code)
    certificates.issue_certificate(completion, by, now)


def _withdraw_completion(completion: Completion, booking: Booking, by, now: datetime) -> list:
    """A register corrected after a completion was recorded: the completion no longer stands, and its
    certificate is revoked (it stays on record). Returns the certificates revoked."""
    from app.certificates import services as certificates

    revoked = certificates.revoke_for_correction(completion, by, now)
    db.session.delete(completion)
    audit.record(by, "training.completion_withdrawn", booking.user, obj=booking, course=completion.course.code,
                 certificates_revoked=len(revoked))
    return revoked


def _sync_completion(booking: Booking, by, now: datetime) -> list:
    """Attended a finished session: record a completion and issue its certificate. Marked otherwise later (a
    correction): withdraw that completion and revoke its certificate. Returns the certificates revoked."""
    session = booking.session
    if session.course.parts > 1:
        return _sync_part_completions(booking, by, now)
    existing = db.session.scalar(select(Completion).where(Completion.booking_id == booking.id))
    attended = _counts(booking)
    if attended and existing is None and now >= session.ends_at:
        _record_completion(booking, to_london(session.starts_at).date(), by, now)
    elif not attended and existing is not None:
        return _withdraw_completion(existing, booking, by, now)
    return []


def _sync_part_completions(booking: Booking, by, now: datetime) -> list:
    """A course in several parts: completed on the day its last outstanding part was attended (see
    rules.part_completions); a correction that breaks a completion withdraws it."""
    course = booking.session.course
    mine = db.session.scalars(select(Booking).join(Booking.session).where(
        Booking.user_id == booking.user_id, TrainingSession.course_id == course.id)).all()
    ended = [b for b in mine if b.session.ends_at <= now and _counts(b)]
    attended = [(b.session.part, to_london(b.session.starts_at).date(), b.id) for b in ended]
    wanted = {ref: day for day, ref in rules.part_completions(attended, course.parts, policy().catch_up_months)}
    by_id = {b.id: b for b in mine}
    existing = {c.booking_id: c for c in db.session.scalars(select(Completion).where(
        Completion.booking_id.in_(list(by_id))))}
    for ref, day in wanted.items():
        if ref not in existing:
            _record_completion(by_id[ref], day, by, now)
    revoked = []
    for ref, completion in existing.items():
        if ref not in wanted:
            revoked += _withdraw_completion(completion, by_id[ref], by, now)
    return revoked


@dataclass
class RegisterSaved:
    """What saving a register changed: how many marks, and the certificates a correction revoked."""

    changed: int
    revoked: list = field(default_factory=list)

def mark_attendance(booking: Booking, attendance: Attendance, by, now: datetime | None = None,
                    minutes_missed: int | None = None, revoked: list | None = None) -> bool:
    """Mark one person's attendance (and, if late or leaving early, the minutes missed), keeping who marked it
    and when. Returns False when nothing changed.

    Certificates a correction revokes are added to `revoked`, so the register can say so to whoever corrected it."""
    now = now or utcnow()
    state = _check_can_mark(booking.session, by, now)
    hold(booking)
    if booking.status is not BookingStatus.BOOKED:
        raise TrainingError(f"{booking.user.display_name} does not have a place on this session.")
    minutes = minutes_missed if attendance.part_missed else None
    if attendance.part_missed and (minutes is None or not 0 <= minutes <= MAX_MINUTES_MISSED):
        raise TrainingError(f"Enter how many minutes {booking.user.display_name} missed, as a whole number.")
    if attendance is Attendance.UNMARKED or (booking.attendance is attendance and booking.minutes_missed == minutes):
        return False
    before = booking.attendance
    booking.attendance, booking.minutes_missed, booking.marked_by_id, booking.marked_at = attendance, minutes, by.id, now
    audit.record(by, "training.attendance_marked", booking.user, obj=booking, attendance=attendance,
                 previously=before, after_close=state == "closed", minutes_missed=minutes)
    withdrawn = _sync_completion(booking, by, now)
    if revoked is not None:
        revoked.extend(withdrawn)
    db.session.flush()
    return True


MAX_MINUTES_MISSED = 24 * 60


def mark_register(session: TrainingSession, marks: list[tuple[Booking, Attendance, int | None]], by,
                  now: datetime | None = None) -> RegisterSaved:
    """Save a register page: each person's mark and minutes missed. Returns how many changed, and any
    certificates a correction revoked."""
    now = now or utcnow()
    _check_can_mark(session, by, now)
    saved = RegisterSaved(0)
    for booking, attendance, minutes in marks:
        saved.changed += mark_attendance(booking, attendance, by, now, minutes, revoked=saved.revoked)
    return saved


def mark_all_present(session: TrainingSession, by, now: datetime | None = None) -> int:
    """One tap: everyone booked and not yet marked is present. Returns how many were marked."""
    now = now or utcnow()
    _check_can_mark(session, by, now)
    count = 0
    for booking in active_bookings(session):
        if booking.status is BookingStatus.BOOKED and booking.attendance is Attendance.UNMARKED:
            count += mark_attendance(booking, Attendance.PRESENT, by, now)
    return count


def about_them(reason: str) -> str:
    """A booking refusal written to the person ("You are booked ...") said to the trainer about them."""
    for you, they in (("You are", "They are"), ("You need", "They need"), ("You have", "They have"),
                      ("You already", "They already"), ("Your ", "Their "), ("you ", "they ")):
        reason = reason.replace(you, they)
    return reason


def add_walk_in(session: TrainingSession, volunteer, by, now: datetime | None = None) -> Booking:
    """Add an eligible volunteer who turned up without a booking, marked present."""
    now = now or utcnow()
    _check_can_mark(session, by, now)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id,
                                                      Booking.user_id == volunteer.id))
    if booking is not None and booking.status is BookingStatus.BOOKED:
        raise TrainingError(f"{volunteer.display_name} is already on the register.")
    # Judged on the booking rules as they stood just before the start (walk-ins arrive once it has begun).
    verdict = eligibility(session, volunteer, now=min(now, session.starts_at - timedelta(seconds=1)))
    if not verdict.ok:
        raise TrainingError(f"{volunteer.display_name} cannot join: {about_them(verdict.reason)}")
    seats.take_walk_in(session)  # the session row first, then the booking: the one lock order
    if booking is None:
        return _book_walk_in(session, volunteer, by, now)
    hold(booking)
    if booking.status is BookingStatus.BOOKED:
        raise TrainingError(f"{volunteer.display_name} is already on the register.")
    return _book_walk_in(session, volunteer, by, now, booking)


def _book_walk_in(session: TrainingSession, person, by, now: datetime, booking: Booking | None = None) -> Booking:
    """The place itself (its seat already taken): booked as a walk-in, audited, marked present."""
    if booking is None:
        booking = Booking(session=session, user=person, ical_sequence=session.sequence)
        db.session.add(booking)
    booking.status, booking.walk_in, booking.queued_at, booking.cancelled_at = BookingStatus.BOOKED, True, now, None
    db.session.flush()
    audit.record(by, "training.walk_in_added", person, obj=booking, session_id=session.id)
    mark_attendance(booking, Attendance.PRESENT, by, now)
    return booking


# ------------------------------------------------------------------ walk-ins without an account

# A newcomer added on the day gets what signing up gives (app/auth/services.py register_user): the applicant role,
# no more. Being a volunteer still takes an application, references and vetting, so a trainer's word can put
# someone only on a course open to applicants with nothing needed first (the taster day).
NEWCOMER_ROLES = frozenset({Role.APPLICANT})


def newcomer_refusal(session: TrainingSession, by, now: datetime | None = None) -> str | None:
    """Why someone without an account cannot be added to this register now (in words for the trainer), or None."""
    course = session.course
    if not course.open_to_applicants or course.prerequisites:
        return (f"Only people with an account can join {course.title}, because it is for volunteers. Someone without "
                "an account can be added to a taster day, then apply to volunteer.")
    now = now or utcnow()
    if not session.cancelled and session.register_state(now) == "not_open":
        opens_before = policy().opens_before
        return (f"The register opens on {format_datetime(session.starts_at - opens_before)}, "
                f"{int(opens_before.total_seconds() // 60)} minutes before the session starts. You can add people then.")
    try:
        _check_can_mark(session, by, now)
    except TrainingError as exc:
        return exc.describe()
    return None


def add_newcomer(session: TrainingSession, full_name: str, email: str, phone: str | None, area, by,
                 now: datetime | None = None) -> Booking:
    """Someone met on the day, without an account: make them one (applicant, no usable password), book them as a
    walk-in marked present, and e-mail them an invitation to choose a password and see their training record.

    An address that already has an account is refused (the database's unique e-mail settles two trainers adding
    the same person at the same moment: one account, and the other trainer is told)."""
    from app.admin.services import new_invited_account, send_invitation

    now = now or utcnow()
    refusal = newcomer_refusal(session, by, now)
    if refusal:
        raise TrainingError(refusal)
    email, full_name = email.strip().lower(), " ".join(full_name.split())
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise TrainingError(ALREADY_HAS_ACCOUNT.format(email=email))
    person = new_invited_account(email, full_name, set(NEWCOMER_ROLES), by)
    person.phone = phone or None
    person.areas = [area] if area is not None else []
    db.session.add(person)
    try:
        db.session.flush()  # the person first, then the session row: every newcomer takes them in this order
    except IntegrityError as exc:
        raise TrainingError(ALREADY_HAS_ACCOUNT.format(email=email)) from exc  # added a moment ago by someone else
    audit.record(by, "account.invited", person, roles=sorted(r.value for r in NEWCOMER_ROLES),
                 areas=sorted(a.name for a in person.areas), walk_in_session=session.id, phone_given=bool(phone))
    seats.take_walk_in(session)
    booking = _book_walk_in(session, person, by, now)
    send_invitation(person, by, "training/newcomer_invitation", subject="Make your account: your training record is waiting",
                    session=session, course=session.course)
    return booking


ALREADY_HAS_ACCOUNT = "{email} already has an account, so we cannot make another one."


def close_register(session: TrainingSession, by=None, now: datetime | None = None) -> int:
    """Close the register: anyone unmarked becomes absent. Returns how many were marked absent."""
    now = now or utcnow()
    hold(session)
    if session.register_closed_at is not None or session.cancelled:
        return 0
    absent = 0
    for booking in active_bookings(session):
        if booking.status is not BookingStatus.BOOKED:
            continue
        if booking.attendance is Attendance.UNMARKED:
            booking.attendance, booking.marked_at, booking.marked_by_id = Attendance.ABSENT, now, getattr(by, "id", None)
            audit.record(by, "training.attendance_marked", booking.user, obj=booking, attendance=Attendance.ABSENT,
                         previously=Attendance.UNMARKED, on_close=True)
            absent += 1
        _sync_completion(booking, by, now)
    session.register_closed_at = now
    audit.record(by, "training.register_closed", obj=session, marked_absent=absent)
    db.session.flush()
    return absent


def close_due_registers(now: datetime | None = None) -> list[TrainingSession]:
    """Close every register whose window has passed (for cron). Returns the sessions closed."""
    now = now or utcnow()
    due = db.session.scalars(select(TrainingSession).where(
        TrainingSession.register_closed_at.is_(None), TrainingSession.status == SessionStatus.SCHEDULED,
        TrainingSession.ends_at <= now - policy().closes_after)).all()
    for session in due:
        close_register(session, None, now)
    return list(due)


def close_if_due(session: TrainingSession, now: datetime | None = None) -> None:
    """Close this register lazily when someone looks at it after its window."""
    now = now or utcnow()
    if session.register_closed_at is None and not session.cancelled and session.register_state(now) == "closed":
        close_register(session, None, now)


# ------------------------------------------------------------------ knowledge checks

def submit_knowledge_check(course: Course, user, answers: dict[int, int | None],
                           now: datetime | None = None) -> tuple[int, Completion | None]:
    """Score an attempt; a pass records a completion. Returns (score, completion or None)."""
    now = now or utcnow()
    if not course.self_paced:
        raise TrainingError("This course has no online knowledge check.")
    score = rules.score_check(course.check["questions"], answers)
    passed = rules.passed(score, course.check["pass_mark"])
    audit.record(user, "training.knowledge_check", user, obj=course, course=course.code, score=score, passed=passed)
    if not passed:
        return score, None
    day = to_london(now).date()
    completion = Completion(user_id=user.id, course=course, completed_on=day, score=score,
                            expires_on=expiry_for(user.id, course, day),
                            source=CompletionSource.KNOWLEDGE_CHECK, recorded_by_id=user.id, recorded_at=now)
    db.session.add(completion)
    db.session.flush()
    from app.certificates import services as certificates

    certificates.issue_certificate(completion, user, now)
    return score, completion


# ------------------------------------------------------------------ learning done elsewhere

def record_external_completion(person, course: Course, *, provider: str, completed_on: date, evidence: str,
                               by, now: datetime | None = None) -> Completion:
    """A coordinator records a course done elsewhere from evidence they saw; it counts like any other."""
    now = now or utcnow()
    if person.id == by.id:
        raise TrainingError("Nobody can record their own training. Ask another coordinator.")
    if completed_on > to_london(now).date():
        raise TrainingError("The date completed must be today or in the past.")
    completion = Completion(user_id=person.id, course=course, completed_on=completed_on,
                            expires_on=expiry_for(person.id, course, completed_on), source=CompletionSource.EXTERNAL,
                            provider=provider, evidence=evidence, recorded_by_id=by.id, recorded_at=now)
    db.session.add(completion)
    db.session.flush()
    audit.record(by, "training.external_completion_recorded", person, obj=completion, course=course.code)
    return completion  # no certificate: the other organisation certifies its own course
