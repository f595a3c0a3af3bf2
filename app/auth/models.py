"""People who use the portal, and the roles they hold."""
import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.core.models import Area, user_areas
from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    VOLUNTEER = "volunteer"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


STAFF_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER, Role.ADMIN})


class TextSize(enum.StrEnum):
    NORMAL = "normal"
    LARGE = "large"
    LARGEST = "largest"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class User(Versioned, UserMixin, db.Model):
    """A person with an account: applicant, volunteer or staff, or several at once."""

    noun = "account"
    __tablename__ = "users"
    # The people list for admins and the finance list are in name order, 25 or 50 at a time: read from here;
    # the volunteers list is in name order whatever the case (lower(full_name)), read from the second.
    __table_args__ = (Index("ix_users_full_name_id", "full_name", "id"),
                      Index("ix_users_lower_full_name_id", text("lower(full_name)"), "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Given when someone else made the account for them (a newcomer added to a register); else on the application.
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Flask-Login's alternative token: rotated on logout, password change and deactivation,
    # so every session holding the old one ends.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    text_size: Mapped[TextSize] = mapped_column(enum_column(TextSize, "text_size", 10), default=TextSize.NORMAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a leaver's personal details were removed under policy/retention.toml (`flask retention sweep`).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_grants: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="UserRole.user_id"
    )
    areas: Mapped[list[Area]] = relationship(secondary=user_areas, order_by=Area.position)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(g.role) for g in self.role_grants)

    def has_role(self, *roles: Role) -> bool:
        """True when the person holds any of the given roles."""
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    @property
    def display_name(self) -> str:
        return self.name_of(self.full_name, self.email)

    @staticmethod
    def name_of(full_name: str | None, email: str) -> str:
        """The name shown for a person: their full name, or their e-mail address when they have given none."""
        return full_name or email

    def rotate_session_token(self) -> None:
        """End every session this person has open."""
        self.session_token = new_token()


class UserRole(db.Model):
    """One role held by one person, with who granted it and when."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),
                      Index("ix_user_roles_role", "role", "user_id"))  # everyone holding a role (the volunteers)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role", 20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])


class ThrottleCounter(db.Model):
    """Attempts of one kind, for one subject (an e-mail address) from one source (a client address).

    Counted in the database before the work they limit, so the count holds across every server process and
    two requests at the same moment cannot both read a count under the limit (see app/throttle.py)."""

    __tablename__ = "throttle_counters"
    __table_args__ = (UniqueConstraint("kind", "subject", "source", name="uq_throttle_counters_kind_subject_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(254))  # the e-mail address tried, or "" for a per-source count
    source: Mapped[str] = mapped_column(String(64))    # the client address, or "" for a per-address count
    count: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when this window began
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)  # no attempt counts until then
