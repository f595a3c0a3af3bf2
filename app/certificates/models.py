"""Certificates (a snapshot of a completion as it was at issue) and the share links of training transcripts."""
import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.auth.models import Role, User
from app.certificates import rules
from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db

LIVE = "revoked_at IS NULL AND superseded_at IS NULL"


class SupersededBecause(enum.StrEnum):
    LATER_COMPLETION = "later_completion"
    NAME_CHANGE = "name_change"

    @property
    def label(self) -> str:
        return {"later_completion": "the course was completed again",
                "name_change": "it was re-issued in a new name"}[self.value]


class Certificate(Versioned, db.Model):
    """One certificate: what was true when it was issued, kept as it was. Revoked or superseded, never deleted."""
    noun = "certificate"

    __tablename__ = "certificates"
    __table_args__ = (
        # One live certificate per completion: a re-issue supersedes the old one first.
        Index("uq_certificates_one_live_per_completion", "completion_id", unique=True,
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Kept when a register correction removes the completion: the certificate stays on record, revoked.
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("training_completions.id", ondelete="SET NULL"),
                                                      index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    # The code is a keyed hash of this random nonce (see rules.derive_code); the database keeps only its SHA-256.
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    course_version: Mapped[str] = mapped_column(String(40))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    learning_minutes: Mapped[int] = mapped_column(Integer)
    trainer_names: Mapped[str] = mapped_column(String(500), default="")
    accrediting_body: Mapped[str | None] = mapped_column(String(200))
    accreditation_number: Mapped[str | None] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    superseded_because: Mapped[SupersededBecause | None] = mapped_column(
        enum_column(SupersededBecause, "superseded_because", 20))

    holder: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<Certificate {self.id} {self.course_title!r} {self.holder_name!r}>"

    def status(self, day: date) -> rules.Status:
        """Valid, expired (from the expiry date), revoked or superseded on `day`."""
        return rules.status_on(day, self.expires_on, self.revoked_at is not None, self.superseded_at is not None)

    @property
    def live(self) -> bool:
        return self.revoked_at is None and self.superseded_at is None

    @property
    def hours_label(self) -> str:
        return rules.hours_label(self.learning_minutes)

    def can_view(self, user) -> bool:
        """The holder, and the staff who look after training records: managers, and coordinators for the
        holder's areas (need to know)."""
        from app.permissions import person_in_scope

        return user.id == self.user_id or (user.has_role(Role.COORDINATOR, Role.MANAGER)
                                           and person_in_scope(user, self.holder))

    def can_revoke(self, user) -> bool:
        """Coordinators for the holder's areas, on someone else's certificate (nobody decides about their own)."""
        from app.permissions import person_in_scope

        return user.has_role(Role.COORDINATOR) and user.id != self.user_id and person_in_scope(user, self.holder)


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class TranscriptShare(db.Model):
    """A volunteer's share link to their training transcript: the random token is the only key; deleting turns it off."""

    __tablename__ = "transcript_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_share_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
