"""Each person's stage on the volunteers list, kept (app/people/services_stages.py), and the day it holds for."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime
from app.extensions import db


class StageEntry(db.Model):
    """One person's stage (people.rules.Stage) on the day people_stage_state names. Kept by
    app/people/services_stages.py, never written elsewhere."""

    __tablename__ = "people_stage_entries"
    __table_args__ = (Index("ix_people_stage_entries_stage", "stage", "person_id"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), default="none")


class StageState(db.Model):
    """The one row (id 1) saying which day and policies people_stage_entries hold the stages for (none: not yet)."""

    __tablename__ = "people_stage_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    on_day: Mapped[date | None] = mapped_column(Date)
    policy_key: Mapped[str | None] = mapped_column(String(64))
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
