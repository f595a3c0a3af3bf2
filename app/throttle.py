"""Attempt limits counted in the database, so they hold across every server process.

A limit is claimed BEFORE the work it limits (checking a password, sending an e-mail): one conditional upsert
raises the counter only while it is under its limit and not told to wait, and says whether it did. Two requests
at the same moment cannot both read "4 of 5" and both go ahead: the second waits for the first's row (the
PostgreSQL row lock, the SQLite write lock) and then sees its count. The row stays the claimant's until its
request commits, so it can set a delay (`hold_off`) or take the attempt back (`forgive`) before anyone else
counts. Take counters in one order (per source first, then per account) so two requests never wait on each other.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, delete, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import ThrottleCounter
from app.db_types import UTCDateTime, utcnow
from app.extensions import db

COUNTERS = ThrottleCounter.__table__
# A new counter asks nobody to wait. Not "now": another request's clock may read a moment earlier than ours.
NO_WAIT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Claim:
    """The answer to one claim: allowed (with the count, this attempt included) or refused (and for how long)."""

    allowed: bool
    count: int = 0
    retry_after: timedelta = timedelta(0)


def _key(kind: str, subject: str, source: str):
    return and_(COUNTERS.c.kind == kind, COUNTERS.c.subject == subject[:254], COUNTERS.c.source == source[:64])


def claim(kind: str, subject: str, source: str, limit: int | None, window: timedelta) -> Claim:
    """Count one attempt, unless `limit` attempts were counted in this `window` or a delay has not yet passed."""
    now = utcnow()
    expired = COUNTERS.c.started_at <= now - window
    under_limit = true() if limit is None else or_(expired, COUNTERS.c.count < limit)
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(COUNTERS).values(
        kind=kind, subject=subject[:254], source=source[:64], count=1, started_at=now, not_before=NO_WAIT,
    ).on_conflict_do_update(
        index_elements=["kind", "subject", "source"],
        set_={"count": case((expired, 1), else_=COUNTERS.c.count + 1),
              "started_at": case((expired, literal(now, UTCDateTime())), else_=COUNTERS.c.started_at)},
        where=and_(COUNTERS.c.not_before <= now, under_limit),
    ).returning(COUNTERS.c.count)
    count = db.session.execute(statement).scalar()
    if count is not None:
        return Claim(True, count)
    started_at, not_before = db.session.execute(
        select(COUNTERS.c.started_at, COUNTERS.c.not_before).where(_key(kind, subject, source))).one()
    wait = not_before - now
    if limit is not None:
        wait = max(wait, started_at + window - now)
    return Claim(False, retry_after=max(wait, timedelta(seconds=1)))


def hold_off(kind: str, subject: str, source: str, delay: timedelta) -> None:
    """Make the next attempt on a claimed counter wait `delay`."""
    if delay > timedelta(0):
        db.session.execute(update(COUNTERS).where(_key(kind, subject, source)).values(not_before=utcnow() + delay))


def forgive(kind: str, subject: str, source: str) -> None:
    """Take back the attempt just claimed (it succeeded, so it should not count against the limit)."""
    db.session.execute(update(COUNTERS).where(_key(kind, subject, source), COUNTERS.c.count > 0)
                       .values(count=COUNTERS.c.count - 1))


def clear(kind: str, subject: str, source: str | None = None) -> None:
    """Forget the attempts of `kind` for `subject`, from `source` or (None) from everywhere."""
    where = [COUNTERS.c.kind == kind, COUNTERS.c.subject == subject[:254]]
    if source is not None:
        where.append(COUNTERS.c.source == source[:64])
    db.session.execute(delete(COUNTERS).where(*where))


def purge_older_than(age: timedelta) -> int:
    """Delete counters whose window began more than `age` ago and that ask nobody to wait; returns how many."""
    now = utcnow()
    result = db.session.execute(delete(COUNTERS).where(COUNTERS.c.started_at < now - age, COUNTERS.c.not_before <= now))
    return result.rowcount or 0
