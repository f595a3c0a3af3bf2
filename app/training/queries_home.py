"""Reads for the home page's training card (issue 17: a fixed number of queries and rows, however many
sessions a trainer has taught or will teach)."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import raiseload

from app.extensions import db
from app.training.models import TrainingSession, session_trainers


def next_taught_sessions(user, since: datetime, limit: int = 3) -> list[TrainingSession]:
    """The next `limit` sessions this person teaches that end after `since`, soonest first: one query (the
    card shows each session's title and time, never its trainers, so they are not loaded: reading them raises)."""
    return list(db.session.scalars(
        select(TrainingSession).join(session_trainers, session_trainers.c.session_id == TrainingSession.id)
        .where(session_trainers.c.user_id == user.id, TrainingSession.ends_at > since)
        .options(raiseload(TrainingSession.trainers))
        .order_by(TrainingSession.starts_at, TrainingSession.id).limit(limit)))
