"""Scheduled sessions of a course, their trainers, and the people booked or waiting."""
import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.auth.models import Role, User
from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db
from app.training import rules
from app.training.models.catalogue import Course, Venue

session_trainers = Table(
    "training_session_trainers",
    db.metadata,
    Column("session_id", Integer, ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # The sessions one person teaches (their teaching page, home page and calendar feed): the primary key
    # starts with the session, so without this every session was read to find a trainer's.
    Index("ix_training_session_trainers_user_id", "user_id", "session_id"),
)


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"booked": "Booked", "waitlisted": "On the waiting list", "cancelled": "Cancelled"}[self.value]


class Attendance(enum.StrEnum):
    UNMARKED = "unmarked"
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"excused": "Excused (sent apologies)", "left_early": "Left early"}.get(
            self.value, self.value.capitalize())

    @property
    def part_missed(self) -> bool:
        """There for some of it: how many minutes were missed decides whether it counts."""
        return self in (Attendance.LATE, Attendance.LEFT_EARLY)


class TrainingSession(Versioned, db.Model):
    """One run of a course: when, where (a venue or an online link), who teaches, how many seats."""
    noun = "session"

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0", name="seats_taken"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), index=True)
    online_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    # Counted with an atomic conditional UPDATE so concurrent bookings never overfill the room.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus, "session_status", 20),
                                                  default=SessionStatus.SCHEDULED)
    notes: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE, raised on every change
    part: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # of a course in several parts
    register_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship(lazy="joined", innerjoin="unnested")
    venue: Mapped[Venue | None] = relationship(lazy="joined")
    trainers: Mapped[list[User]] = relationship(secondary=session_trainers, lazy="selectin", order_by=User.full_name)
    bookings: Mapped[list["Booking"]] = relationship(back_populates="session", lazy="raise",
                                                     order_by="Booking.queued_at, Booking.id")

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.course_id} {self.starts_at:%Y-%m-%d}>"

    @property
    def cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    @property
    def where(self) -> str:
        """Where it happens, in one line."""
        return self.venue.one_line if self.venue else "Online (the joining link is on your booking)"

    def is_trainer(self, user) -> bool:
        return any(t.id == user.id for t in self.trainers)

    @property
    def title(self) -> str:
        """The course's title, with the part for a course in several parts ("Recovery coach, part 1 of 2")."""
        parts = self.course.parts or 1
        return self.course.title if parts == 1 else f"{self.course.title}, part {self.part} of {parts}"

    def phase(self, now: datetime | None = None) -> rules.Phase:
        """Upcoming, started or cancelled: the one place that answers "can this still change?"."""
        return rules.session_phase(self.starts_at, self.cancelled, now or utcnow())

    def register_state(self, now: datetime | None = None) -> str:
        """'not_open', 'open' or 'closed' for this session's register."""
        from app.training.policy import policy

        return rules.register_state(self.starts_at, self.ends_at, now or utcnow(), policy(), self.register_closed_at)

    def can_manage(self, user) -> bool:
        """Coordinators manage any session; trainers the sessions they teach."""
        return user.has_role(Role.COORDINATOR) or self.is_trainer(user)

    def can_mark_register(self, user, now: datetime | None = None) -> bool:
        """The session's trainers while the register is open; coordinators from when it opens, and after it closes."""
        return rules.can_mark(is_trainer=self.is_trainer(user), is_coordinator=user.has_role(Role.COORDINATOR),
                              state=self.register_state(now))


class Booking(Versioned, db.Model):
    """A person's place (or place in the queue) on a session, and their attendance."""
    noun = "booking"

    __tablename__ = "training_bookings"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_training_bookings_session_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus, "booking_status", 20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # arrival order for the waitlist
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)  # SEQUENCE of the last invitation sent
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance, "attendance", 20),
                                                   default=Attendance.UNMARKED)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_missed: Mapped[int | None] = mapped_column(Integer)  # late or left early: how long they missed
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    session: Mapped[TrainingSession] = relationship(back_populates="bookings", lazy="joined", innerjoin=True)
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.status is not BookingStatus.CANCELLED
