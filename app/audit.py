"""The append-only audit log every decision about a person writes to, chained so tampering shows.

Each row stores the hash of the row before it (prev_hash) and a SHA-256 of its own content and prev_hash
(row_hash); the one-row table audit_chain holds the newest hash, kept up to date by a database trigger.
Inserting a row first writes to that row, which locks it (PostgreSQL row lock, SQLite write lock) until the
transaction ends, so inserts take turns and the chain never forks. The time comes from the database clock, read
in the same statement. `flask audit verify` walks the chain. The database refuses UPDATE, DELETE and TRUNCATE
(migrations 0001 and 0008).

Pruning (migration 0018, `flask retention sweep`): rows past the retention horizon go from the start of the
chain only. First an anchor row is written to audit_prunings naming the newest row to go and its hash (the
database checks that row exists with that hash, and that anchors only move forward); the database then lets
a DELETE through only for rows at or before the newest anchor. `verify_chain` starts from the newest anchor's
hash instead of the genesis hash, so the chain still verifies after old rows go, and any row removed from the
middle or the end still shows. Anchors are never updated or deleted.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.db_types import UTCDateTime
from app.extensions import db

GENESIS = "0" * 64  # the prev_hash of the first row
HASH_VERSION = "v1"


class AuditEvent(db.Model):
    """Who did what, to whom, when, with details. Rows are never updated or deleted."""

    __tablename__ = "audit_events"
    __mapper_args__ = {"batch": False}  # chain each row before the next is inserted, so ids follow the chain
    # The log's order (newest first, then id): PostgreSQL reads a page from this index backwards; on
    # occurred_at alone it sorted every entry for each page.
    __table_args__ = (Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.current_timestamp())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))

    actor = relationship("User", foreign_keys=[actor_id], lazy="raise")
    subject = relationship("User", foreign_keys=[subject_id], lazy="raise")


class AuditChainHead(db.Model):
    """The single row holding the newest audit row's hash; every audit insert locks it."""

    __tablename__ = "audit_chain"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditPruning(db.Model):
    """One pruning of the start of the audit log: the newest row removed, its hash, and how many went.

    The newest anchor is where `verify_chain` starts; the database allows deleting only rows up to it."""

    __tablename__ = "audit_prunings"

    id: Mapped[int] = mapped_column(primary_key=True)
    through_id: Mapped[int] = mapped_column(Integer)  # the newest audit row removed
    through_hash: Mapped[str] = mapped_column(String(64))  # its row_hash: the next row's prev_hash
    horizon: Mapped[datetime] = mapped_column(UTCDateTime)  # rows before this time were due
    rows: Mapped[int] = mapped_column(Integer)
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.current_timestamp())


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent | AuditPruning):
            raise AuditLogIsAppendOnly("The audit log is append-only.")


def chain_hash(prev_hash: str, row) -> str:
    """SHA-256 of a row's content and the hash before it, over a canonical JSON serialisation."""
    content = [HASH_VERSION, prev_hash, row.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
               row.actor_id, row.action, row.subject_id, row.object_type, row.object_id, row.ip_address,
               row.details]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


# The database's own clock, read in the statement that takes the lock. PostgreSQL's trigger keeps a time
# between the transaction's start and now and replaces any other; SQLite's refuses one more than a minute out.
_DB_CLOCK = {"postgresql": "clock_timestamp()", "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')"}


@event.listens_for(AuditEvent, "before_insert")
def _chain(mapper, connection, target):
    head = AuditChainHead.__table__
    locked = connection.execute(
        update(head).where(head.c.id == 1).values(last_hash=head.c.last_hash)  # a write: takes the lock
        .returning(head.c.last_hash, literal_column(_DB_CLOCK[connection.dialect.name]))).first()
    if locked is None:
        raise AuditLogIsAppendOnly("The audit log's chain head (table audit_chain) is missing; run `flask db upgrade`.")
    prev_hash, clock = locked
    if isinstance(clock, str):  # SQLite
        clock = datetime.fromisoformat(clock).replace(tzinfo=UTC)
    target.occurred_at = clock.astimezone(UTC)  # whatever the caller set, the database's time is recorded
    target.details = target.details if target.details is not None else {}
    target.prev_hash, target.row_hash = prev_hash, chain_hash(prev_hash, target)
    # An AFTER INSERT trigger (migration 0008) moves audit_chain.last_hash on to this row's hash.


def record(actor, action: str, subject=None, obj=None, **details) -> AuditEvent:
    """Append one audit event: actor and subject are users (or None for the system)."""
    event_row = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_id=getattr(subject, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        ip_address=request.remote_addr if has_request_context() else None,
        details={k: _jsonable(v) for k, v in details.items()},
    )
    db.session.add(event_row)
    return event_row


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(getattr(value, "value", value))


@dataclass
class Verification:
    rows: int  # rows checked and intact
    last_hash: str
    broken_row: Any = None  # the first row that fails, or None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def latest_pruning() -> AuditPruning | None:
    return db.session.scalar(select(AuditPruning).order_by(AuditPruning.id.desc()).limit(1))


def verify_chain() -> Verification:
    """Walk the log in order from its start (or the newest pruning's anchor) and report the first row whose hash
    or link does not match."""
    table = AuditEvent.__table__
    anchor = latest_pruning()
    prev, prev_id, count = (anchor.through_hash, anchor.through_id, 0) if anchor else (GENESIS, None, 0)
    rows = select(table).order_by(table.c.id)
    if anchor is not None:
        rows = rows.where(table.c.id > anchor.through_id)
    for row in db.session.execute(rows.execution_options(yield_per=1000)):
        if row.prev_hash != prev:
            before = (f"row {prev_id}" + (" (the newest row pruned)" if anchor and prev_id == anchor.through_id else "")
                      if prev_id else "the start of the log")
            return Verification(count, prev, row, f"it does not follow on from {before}: that row was changed "
                                                  "(and its hash recomputed), or rows between them were removed")
        if chain_hash(prev, row) != row.row_hash:
            return Verification(count, prev, row, "its content does not match its hash: it was changed after "
                                                  "it was written")
        prev, prev_id, count = row.row_hash, row.id, count + 1
    head = db.session.scalar(select(AuditChainHead.last_hash).where(AuditChainHead.id == 1))
    if head != prev:
        return Verification(count, prev, None, "the chain head (table audit_chain) does not match the newest row: "
                                               "rows at the end of the log were removed, or the head was changed")
    return Verification(count, prev)


def prune_through(through_id: int, horizon: datetime, batch_size: int = 1000, progress=None) -> int:
    """Remove the audit rows with id <= through_id (the start of the chain), leaving an anchor so the rest still
    verifies. The caller has checked the chain and chosen through_id; deletes go in batches of `batch_size`."""
    table = AuditEvent.__table__
    through_hash = db.session.scalar(select(table.c.row_hash).where(table.c.id == through_id))
    if through_hash is None:
        return 0
    anchor = latest_pruning()
    start = anchor.through_id if anchor else 0
    total = db.session.scalar(select(func.count()).select_from(table).where(table.c.id <= through_id)) or 0
    db.session.add(AuditPruning(through_id=through_id, through_hash=through_hash, horizon=horizon, rows=total))
    db.session.flush()  # the anchor first: the database allows the deletes only up to it
    from app.applications.models import ApplicationNote  # the one table that points at audit rows

    low = start
    while low < through_id:
        high = min(low + batch_size, through_id)
        db.session.execute(ApplicationNote.__table__.delete().where(
            ApplicationNote.audit_event_id > low, ApplicationNote.audit_event_id <= high))
        gone = db.session.execute(table.delete().where(table.c.id > low, table.c.id <= high)).rowcount
        if progress is not None:
            progress(gone)
        low = high
    return total
