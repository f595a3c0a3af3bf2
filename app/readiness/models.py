"""Readiness records: the signed agreement, the induction meeting, the emergency contact, and the standing
(released, stood down, suspended, paused) with one row per stand-down and per warning sent."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.auth.models import Role
from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db
from app.permissions import person_in_scope


class Standing(enum.StrEnum):
    NOT_RELEASED = "not_released"
    RELEASED = "released"
    STOOD_DOWN = "stood_down"
    SUSPENDED = "suspended"
    PAUSED = "paused"

    @property
    def label(self) -> str:
        return {"not_released": "Not released yet", "released": "Released to client work",
                "stood_down": "Stood down", "suspended": "Suspended", "paused": "Paused"}[self.value]


class AgreementSignature(db.Model):
    """A volunteer's signature of one version of the volunteer agreement: the name they typed and the day."""

    __tablename__ = "readiness_agreements"
    __table_args__ = (UniqueConstraint("volunteer_id", "version", name="uq_readiness_agreements_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Induction(db.Model):
    """The induction meeting a coordinator held with the volunteer, and the supervisor named there."""

    __tablename__ = "readiness_inductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervisor = relationship("User", foreign_keys=[supervisor_id], lazy="joined")


class EmergencyContact(db.Model):
    """Who to call if something happens to the volunteer while volunteering; entered by the volunteer."""

    __tablename__ = "readiness_emergency_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_kind: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MentorStanding(Versioned, db.Model):
    """Whether a volunteer is released to client work: a recorded decision, moved only by the services."""

    noun = "volunteer's standing"
    __tablename__ = "mentor_standings"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    status: Mapped[Standing] = mapped_column(enum_column(Standing, "mentor_standing", 20), default=Standing.NOT_RELEASED)
    released_on: Mapped[date | None] = mapped_column(Date)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_released_on: Mapped[date | None] = mapped_column(Date)  # probation is counted from here
    release_count: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    released_by = relationship("User", foreign_keys=[released_by_id], lazy="joined")

    @staticmethod
    def can_decide(user, volunteer) -> bool:
        """Release, suspend, stand down: a coordinator covering one of the volunteer's areas (or a manager);
        never the volunteer themself."""
        return (user.id != volunteer.id and user.has_role(Role.COORDINATOR, Role.MANAGER)
                and person_in_scope(user, volunteer))

    @staticmethod
    def can_lift_suspension(user, volunteer) -> bool:
        """Only a manager lifts a suspension, and never their own."""
        return user.id != volunteer.id and user.has_role(Role.MANAGER)


class StandDown(db.Model):
    """One stand-down of a released volunteer by the daily sweep, with the codes of the gates that failed.

    One per release (the unique key), so a sweep run twice, or twice at once, stands down and e-mails once."""

    __tablename__ = "readiness_stand_downs"
    __table_args__ = (UniqueConstraint("volunteer_id", "release_number", name="uq_readiness_stand_downs_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    release_number: Mapped[int] = mapped_column(Integer)
    stood_down_on: Mapped[date] = mapped_column(Date)
    gate_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GateWarning(db.Model):
    """A warning e-mailed before a gate lapses, at one lead time: the unique key makes each go once."""

    __tablename__ = "readiness_warnings"
    __table_args__ = (UniqueConstraint("volunteer_id", "gate_code", "good_until", "lead_days",
                                       name="uq_readiness_warnings_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    gate_code: Mapped[str] = mapped_column(String(40))
    good_until: Mapped[date] = mapped_column(Date)
    lead_days: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# ---------------------------------------------------------------- clients and pairs


class GateStateEntry(db.Model):
    """One volunteer's gate states on the day readiness_state names, kept by app/readiness/services_states.py
    (never written elsewhere): `states` has one letter per gate of the policy, in its order (rules.LETTERS);
    `untils` eight characters per gate, the day it is good until as YYYYMMDD, or ~~~~~~~~ when it is not good
    or never ends; `ready` is every gate good, `until` the last day they all are, `soonest` the first day any
    good gate ends; `released` their standing is released (the ready list is those ready and not released)."""

    __tablename__ = "readiness_entries"
    __table_args__ = (Index("ix_readiness_entries_to_release", "person_id", postgresql_where=text("ready AND NOT released"),
                            sqlite_where=text("ready AND NOT released")),)

    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    states: Mapped[str] = mapped_column(Text, default="")
    untils: Mapped[str] = mapped_column(Text, default="")
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    until: Mapped[date | None] = mapped_column(Date)
    soonest: Mapped[date | None] = mapped_column(Date)
    released: Mapped[bool] = mapped_column(Boolean, default=False)


class GateStateState(db.Model):
    """The one row (id 1): the day and policies readiness_entries hold everyone's gates for (`on_day`, none: not
    yet), and the day a rewrite is under way for (`building_day`)."""

    __tablename__ = "readiness_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    on_day: Mapped[date | None] = mapped_column(Date)
    policy_key: Mapped[str | None] = mapped_column(String(64))
    building_day: Mapped[date | None] = mapped_column(Date)
    building_key: Mapped[str | None] = mapped_column(String(64))
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContactKind(enum.StrEnum):
    PHONE = "phone"
    TEXT = "text"
    VISIT = "visit"

    @property
    def label(self) -> str:
        return {"phone": "Phone call", "text": "Text message", "visit": "Visit"}[self.value]


class Client(db.Model):
    """A client: a reference code, an area and support-need tags from policy. No personal data."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    area = relationship("Area", lazy="joined")

    def can_manage(self, user) -> bool:
        """Managers, and coordinators covering the client's area."""
        if user.has_role(Role.MANAGER):
            return True
        return user.has_role(Role.COORDINATOR) and any(a.id == self.area_id for a in user.areas)


class ClientAcquaintance(db.Model):
    """A volunteer has said they know a client: they are never paired with them."""

    __tablename__ = "client_acquaintances"
    __table_args__ = (UniqueConstraint("client_id", "volunteer_id", name="uq_client_acquaintances_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pairing(Versioned, db.Model):
    """Exactly two released volunteers mentoring one client, from a start until it is ended."""

    noun = "pairing"
    __tablename__ = "pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    flagged_on: Mapped[date | None] = mapped_column(Date)  # a member was stood down: re-pair
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    client = relationship(Client, lazy="joined")
    first = relationship("User", foreign_keys=[first_id], lazy="joined")
    second = relationship("User", foreign_keys=[second_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def member_ids(self) -> set[int]:
        return {self.first_id, self.second_id}

    def partner_of(self, user):
        return self.second if user.id == self.first_id else self.first


class ClientContact(db.Model):
    """A contact a volunteer had with their client: the day, how long and how. No notes about the client."""

    __tablename__ = "client_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, "client_contact_kind", 10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
