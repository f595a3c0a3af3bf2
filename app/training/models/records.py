"""What a person has completed, and their private calendar feed."""
import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db
from app.training.models.catalogue import Course


class CompletionSource(enum.StrEnum):
    ATTENDANCE = "attendance"
    KNOWLEDGE_CHECK = "knowledge_check"
    EXTERNAL = "external"  # learning done elsewhere, recorded by a coordinator who saw the evidence

    @property
    def label(self) -> str:
        return {"attendance": "Attended a session", "knowledge_check": "Passed the online knowledge check",
                "external": "Done elsewhere"}[self.value]


class Completion(db.Model):
    """A course completed on a date, current until its expiry (if the course expires). Never overwritten."""

    __tablename__ = "training_completions"
    # A person's completions of one course: the walk-in search asks "has this person done the prerequisite?" for
    # every name it looks at, which without it reads every completion of that course per person.
    # The funder report counts, per course, the people who completed it in a period: read from the period's
    # part of the second (without it SQLite read every completion there has ever been, in course order).
    __table_args__ = (Index("ix_training_completions_user_course", "user_id", "course_id"),
                      Index("ix_training_completions_period", "completed_on", "course_id", "user_id"),
                      # A course's current completions, from the index alone (the ready list's course gates).
                      Index("ix_training_completions_current", "course_id", "user_id", "completed_on", "expires_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[CompletionSource] = mapped_column(enum_column(CompletionSource, "completion_source", 20))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("training_bookings.id", ondelete="SET NULL"),
                                                   unique=True)
    score: Mapped[int | None] = mapped_column()  # knowledge check: percentage
    # Learning done elsewhere: who provided it and what evidence the recorder saw (never a scan of it).
    provider: Mapped[str | None] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)

    def current_on(self, day: date) -> bool:
        """Completed by `day` and not yet expired on it."""
        return self.completed_on <= day and (self.expires_on is None or day < self.expires_on)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(db.Model):
    """A person's private calendar subscription: the random token in its URL is the only key."""

    __tablename__ = "training_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
