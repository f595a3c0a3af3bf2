"""Seats: the one place a session's seat count changes.

Every change here is a single conditional UPDATE on the session row, made in the same transaction as, and
right beside, the conditional write of the booking whose status it follows (`hold(booking)` in the services).
Taking the session row first and the booking second is the one lock order, so two actions never deadlock.
"""
from datetime import datetime

from sqlalchemy import func, select, update

from app.errors import DomainError
from app.extensions import db
from app.training.models import Booking, BookingStatus, SessionStatus, TrainingSession


class SessionClosed(DomainError):
    """The session was cancelled or has started: its seats no longer change."""

    def __init__(self, message: str = "This session has been cancelled or has started, so its places can no longer change."):
        super().__init__(message)


def _update(session: TrainingSession, *conditions, **values) -> bool:
    result = db.session.execute(
        update(TrainingSession).where(TrainingSession.id == session.id, *conditions).values(**values)
        .execution_options(synchronize_session=False))
    db.session.expire(session, ["seats_taken"])
    return result.rowcount == 1


def _open(now: datetime):
    return (TrainingSession.status == SessionStatus.SCHEDULED, TrainingSession.starts_at > now)


def lock(session: TrainingSession) -> None:
    """Hold the session row (no change) so bookings on it queue behind each other in one order."""
    _update(session, seats_taken=TrainingSession.seats_taken)


def take(session: TrainingSession, now: datetime) -> bool:
    """One seat if the session is still upcoming and has one left; False when it is full.

    Raises SessionClosed when it was cancelled or has started, checked in the same write.
    """
    if _update(session, *_open(now), TrainingSession.seats_taken < TrainingSession.capacity,
               seats_taken=TrainingSession.seats_taken + 1):
        return True
    if not _update(session, *_open(now), seats_taken=TrainingSession.seats_taken):
        raise SessionClosed()
    return False


def take_walk_in(session: TrainingSession) -> None:
    """A walk-in is in the room already, so may take the count past capacity."""
    _update(session, seats_taken=TrainingSession.seats_taken + 1)


def give_back(session: TrainingSession) -> None:
    """A booked place was given up."""
    _update(session, TrainingSession.seats_taken > 0, seats_taken=TrainingSession.seats_taken - 1)


def clear(session: TrainingSession) -> None:
    """A cancelled session has no seats taken."""
    _update(session, seats_taken=0)


def booked_count(session_id: int) -> int:
    """How many bookings hold a place: what the counter must always equal."""
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.session_id == session_id, Booking.status == BookingStatus.BOOKED))

