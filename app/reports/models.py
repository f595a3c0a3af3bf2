"""Dashboard snapshots: the panels worked out for one scope (areas, dates, day), kept for a few minutes.

At 50,000 people the dashboard's aggregates (every person's stage dates, gates and lapses) take seconds, and a
manager opening it again, or a second manager, should not wait for the same numbers. A snapshot holds only what
the panels show (counts, already following the small-number rule; chart images; links), never a person's data,
and it is keyed by whose areas it covers, so nobody reads another scope's numbers. Kept in the database, so every
app server shares them.
"""
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime
from app.extensions import db


class DashboardSnapshot(db.Model):
    __tablename__ = "dashboard_snapshots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the scope, dates and policy
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    panels: Mapped[list] = mapped_column(JSON)
