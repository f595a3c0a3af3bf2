"""Attempt limits counted in the database, so they hold across every server process."""
from datetime import timedelta

from sqlalchemy import delete, func, select

from app.auth.models import ThrottleEvent
from app.db_types import utcnow
from app.extensions import db


def is_limited(key: str, limit: int, window: timedelta) -> bool:
    """True when `key` has had `limit` or more attempts within `window`."""
    since = utcnow() - window
    count = db.session.scalar(
        select(func.count()).select_from(ThrottleEvent).where(ThrottleEvent.key == key, ThrottleEvent.occurred_at > since)
    )
    return count >= limit


def hit(key: str) -> None:
    """Count one attempt against `key`."""
    db.session.add(ThrottleEvent(key=key))


def clear(key: str) -> None:
    """Forget the attempts against `key` (after a success)."""
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.key == key))


def purge_older_than(age: timedelta) -> int:
    """Delete attempts older than `age`; returns how many."""
    result = db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.occurred_at < utcnow() - age))
    return result.rowcount or 0
