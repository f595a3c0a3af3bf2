"""Courses (loaded from courses/*.toml) and the venues sessions are held at."""
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Area
from app.extensions import db

DELIVERY_LABELS = {"face_to_face": "Face to face", "online": "Online (self-paced)", "remote": "Remote (live video)"}


class Course(db.Model):
    """One course in the catalogue. The course file is the source of truth; `flask courses sync` copies it here."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    delivery_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_capacity: Mapped[int] = mapped_column(Integer)
    prerequisites: Mapped[list[str]] = mapped_column(JSON, default=list)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    # A course in several parts (days or modules): each part is a session with its own register, and the
    # course is completed once every part is attended (catching up a missed part at a later run, within policy).
    parts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    certifies: Mapped[bool] = mapped_column(Boolean, default=False)
    accredited: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a certificate carries: the accrediting body and its number (accredited courses), the learning hours,
    # and the course's version, so a certificate says which edition of the course was completed.
    accrediting_body: Mapped[str | None] = mapped_column(String(200))
    accreditation_number: Mapped[str | None] = mapped_column(String(80))
    learning_minutes: Mapped[int | None] = mapped_column(Integer)
    course_version: Mapped[str] = mapped_column(String(40), default="1", server_default="1")
    # The taster day helps people decide whether to join, so applicants may book it before they are accepted.
    open_to_applicants: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Self-paced online courses: {"lessons": [{"title", "body"}], "check": {"pass_mark", "questions": [...]}}
    online: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Course {self.code}>"

    @property
    def self_paced(self) -> bool:
        return bool(self.online)

    @property
    def lessons(self) -> list[dict]:
        return (self.online or {}).get("lessons", [])

    @property
    def check(self) -> dict:
        return (self.online or {}).get("check", {})

    @property
    def delivery_labels(self) -> list[str]:
        return [DELIVERY_LABELS.get(m, m) for m in self.delivery_modes]

    @property
    def hours_minutes(self) -> int:
        """The learning time a certificate states: the course file's `hours`, else the course's length."""
        return self.learning_minutes or self.duration_minutes

    @property
    def duration_label(self) -> str:
        """'1 day', '3 hours', '45 minutes'."""
        minutes = self.duration_minutes
        if minutes >= 360:
            days = round(minutes / 420) or 1
            return "1 day" if days == 1 else f"{days} days"
        if minutes >= 60:
            hours, rest = divmod(minutes, 60)
            text = "1 hour" if hours == 1 else f"{hours} hours"
            return f"{text} {rest} minutes" if rest else text
        return f"{minutes} minutes"


class Venue(db.Model):
    """A place sessions are held, in one of the scheme's areas."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    access_notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Venue {self.name}>"

    @property
    def one_line(self) -> str:
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        return ", ".join([self.name, *lines])
