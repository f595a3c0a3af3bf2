"""Helpers for the retention tests: audit rows moved into the past, with the chain re-hashed (as migration 0008
chained existing rows), the append-only triggers lifted only while that is done, inside the test's transaction."""
from datetime import datetime

from sqlalchemy import select, text, update

from app.audit import GENESIS, AuditChainHead, AuditEvent, chain_hash
from app.extensions import db


def backdate_audit(ids_to_times: dict[int, datetime]) -> None:
    """Give these audit rows these times and re-chain the whole log so it verifies."""
    table = AuditEvent.__table__
    dialect = db.session.get_bind().dialect.name
    db.session.flush()
    if dialect == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        restore = [text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")]
    else:
        saved = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                        "AND tbl_name = 'audit_events' AND name = 'audit_events_no_update'")).all()
        for name, _ in saved:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        restore = [text(sql) for _, sql in saved]
    for row_id, when in ids_to_times.items():
        db.session.execute(update(table).where(table.c.id == row_id).values(occurred_at=when))
    prev = GENESIS
    for row in db.session.execute(select(table).order_by(table.c.id)).all():
        row_hash = chain_hash(prev, row)
        db.session.execute(update(table).where(table.c.id == row.id).values(prev_hash=prev, row_hash=row_hash))
        prev = row_hash
    db.session.execute(update(AuditChainHead.__table__).values(last_hash=prev))
    for statement in restore:
        db.session.execute(statement)
    db.session.commit()
