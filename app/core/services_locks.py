"""One run at a time of a scheduled command, across every server (several gunicorn hosts, one database).

`run_lock(name)` yields True when this process holds the lock for `name` and False when another run holds it.
On PostgreSQL it is a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own for
the whole run, so it survives the run's own commits and goes when the run ends (or its connection drops). On
SQLite every server shares one file on one machine and writers take turns: there the commands rely on what
they would rely on anyway, the unique keys each reminder, warning and stand-down is claimed by before it is
sent (a conditional write), so two runs at once never send one twice. What SQLite cannot do is turn one
transaction's read lock into a write lock while another transaction holds a read lock too (both fail with
"database is locked", whatever the busy timeout): so on SQLite a run is one transaction that starts with a
write (`start_with_a_write`), holding the database's write lock until it commits. A second run waits for it
up to the busy timeout, then finds everything claimed; if the first is still going, it gives up (False).
"""
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from app.extensions import db


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for the name (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def start_with_a_write() -> None:
    """SQLite: take the database's write lock first in this transaction (the audit chain head rewritten as it
    is: the same write app/audit.py takes its turn with). Nothing on PostgreSQL, whose row locks need none."""
    if db.session.get_bind().dialect.name == "sqlite":
        from app.audit import AuditChainHead

        head = AuditChainHead.__table__
        db.session.execute(update(head).where(head.c.id == 1).values(last_hash=head.c.last_hash))


@contextmanager
def run_lock(name: str) -> Iterator[bool]:
    if db.engine.dialect.name != "postgresql":
        try:
            start_with_a_write()
        except OperationalError:  # another run has held the write lock for longer than the busy timeout
            db.session.rollback()
            yield False
            return
        yield True
        return
    key = lock_key(name)
    with db.engine.connect() as connection:
        mine = connection.scalar(select(func.pg_try_advisory_lock(key)))
        connection.commit()
        try:
            yield bool(mine)
        finally:
            if mine:
                connection.scalar(select(func.pg_advisory_unlock(key)))
                connection.commit()
