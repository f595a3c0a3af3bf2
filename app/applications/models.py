"""An application to become a peer mentor, and its two references."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.applications.rules import Status, accept_blockers, allowed_actions
from app.auth.models import Role, User
from app.core.models import Area
from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db

application_areas = Table(
    "application_areas",
    db.metadata,
    Column("application_id", Integer, ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", Integer, ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
    # The queue and the counts find an area's applications by area (the primary key leads with the application).
    Index("ix_application_areas_area_id", "area_id", "application_id"),
)


class Application(Versioned, db.Model):
    """One person's application: a draft until submitted, then a coordinator's decision."""
    noun = "application"

    __tablename__ = "applications"
    __table_args__ = (
        # One open application per person (a draft or one being considered); uniqueness lives in the database.
        Index("uq_applications_one_open_per_user", "user_id", unique=True,
              sqlite_where=text("status NOT IN ('accepted', 'declined', 'withdrawn')"),
              postgresql_where=text("status NOT IN ('accepted', 'declined', 'withdrawn')")),
        # The queue: its counts per status and its page (longest waiting first) read from the index alone.
        Index("ix_applications_queue", "status", "submitted_at", "user_id", "id"),
        # The funder reports: who was accepted in a quarter.
        Index("ix_applications_decided", "status", "decided_at", "user_id"),
        # Who has sent an application, and which sent application is whose: the volunteers lists read these
        # instead of the whole table (a few hundred KB against 15 MB at 50,000 people).
        Index("ix_applications_sent", "user_id", sqlite_where=text("submitted_at IS NOT NULL"),
              postgresql_where=text("submitted_at IS NOT NULL")),
        Index("ix_applications_sent_id", "id", "user_id", sqlite_where=text("submitted_at IS NOT NULL"),
              postgresql_where=text("submitted_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One open application at a time; after a decline or a withdrawal the person may apply again.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status, "application_status", 24), default=Status.DRAFT, index=True)
    # About you
    full_name: Mapped[str | None] = mapped_column(String(200))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(8))
    # Where and when
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability_note: Mapped[str | None] = mapped_column(String(500))
    # Experience
    motivation: Mapped[str | None] = mapped_column(Text)
    lived_experience: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Consents
    consent_data: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_checks: Mapped[bool] = mapped_column(Boolean, default=False)
    steps_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    # Chat
    chat_booked_for: Mapped[date | None] = mapped_column(Date)
    chat_booking_note: Mapped[str | None] = mapped_column(String(500))
    chat_held_on: Mapped[date | None] = mapped_column(Date)
    chat_outcome: Mapped[str | None] = mapped_column(String(40))
    chat_notes: Mapped[str | None] = mapped_column(Text)
    # Decision
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    decline_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the chat, decline and step notes were deleted under the retention policy.
    notes_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a declined or withdrawn application was anonymised under the retention schedule.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    areas: Mapped[list[Area]] = relationship(secondary=application_areas, order_by=Area.position)
    referees: Mapped[list["Referee"]] = relationship(back_populates="application", order_by="Referee.position",
                                                     cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status.value}>"

    @property
    def name(self) -> str:
        return self.full_name or self.user.full_name

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def allowed(self) -> frozenset:
        return allowed_actions(self.status)

    @property
    def accept_blockers(self) -> list[str]:
        return accept_blockers([r.satisfactory for r in self.referees], self.chat_held_on is not None)

    def days_waiting(self, now: datetime | None = None) -> int | None:
        """Whole days since submission (None for a draft)."""
        if self.submitted_at is None:
            return None
        return ((now or utcnow()) - self.submitted_at).days

    def can_review(self, user) -> bool:
        """Staff who may open and act on it: a manager, or a coordinator covering one of its areas; never the
        applicant themself, whatever roles they hold (nobody decides about their own record)."""
        if user.id == self.user_id:
            return False
        if user.has_role(Role.MANAGER):
            return True
        mine = {a.id for a in user.areas}
        return user.has_role(Role.COORDINATOR) and any(a.id in mine for a in self.areas)

    def can_decide(self, user) -> bool:
        """The final decision (accept or decline) is the area coordinator's: a coordinator covering one of
        the application's areas, or a manager; never the applicant themself."""
        if user.id == self.user_id:
            return False
        if user.has_role(Role.MANAGER):
            return True
        mine = {a.id for a in user.areas}
        return user.has_role(Role.COORDINATOR) and any(a.id in mine for a in self.areas)

    def can_see_lived_experience(self, user) -> bool:
        """Lived-experience answers are for coordinators and managers (and the applicant), never trainers."""
        return user.id == self.user_id or user.has_role(Role.COORDINATOR, Role.MANAGER)


class Referee(Versioned, db.Model):
    """Someone who knows the applicant, asked through a single-use, expiring link for a short reference."""
    noun = "reference"

    __tablename__ = "referees"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    relationship_kind: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20))
    # Only a hash of the link's token is kept, so a leaked database cannot be used to answer.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    satisfactory: Mapped[bool | None] = mapped_column(Boolean)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="referees")

    @property
    def state(self) -> str:
        """Where this reference is, in words."""
        if self.satisfactory is not None:
            return "Satisfactory" if self.satisfactory else "Not satisfactory"
        if self.received_at:
            return "Received"
        if self.requested_at:
            return "Requested"
        return "Not requested"

    def link_usable(self, now: datetime) -> bool:
        return self.received_at is None and self.link_expires_at is not None and now < self.link_expires_at


class ApplicationNote(db.Model):
    """Free text written with a step (why), kept out of the audit log (admins read it) so it can be purged."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    audit_event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), unique=True)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    audit_event = relationship("AuditEvent")
