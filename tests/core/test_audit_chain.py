"""The audit log is a hash chain: `flask audit verify` names the first row that was changed or removed;
the database sets the time and (on PostgreSQL) refuses TRUNCATE; concurrent writers never fork the chain."""
import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app import audit
from app.audit import AuditEvent, verify_chain
from app.db_types import utcnow
from app.extensions import db
from tests.factories import make_user

# Other connections (triggers lifted, threads, servers, cron) must see these rows: they commit for real.
pytestmark = pytest.mark.real_commits


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def write_log(n: int = 6) -> list[int]:
    """n events: some in one flush, some in separate transactions, with details of every JSON kind."""
    person = make_user("volunteer")
    audit.record(person, "account.created", person, note="Zoë's café", amount=12.5, tags=("a", "b"))
    audit.record(None, "auth.login_failed", person, email=person.email)
    db.session.commit()
    for k in range(n - 2):
        audit.record(person, "test.event", person, obj=person, n=k, nested={"x": [1, None, True]})
        db.session.commit()
    ids = list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    db.session.commit()  # hold no lock on the table (TRUNCATE on PostgreSQL would wait for it)
    return ids


def tamper(statement: str, **params) -> None:
    """Run SQL on the audit log as someone with the database's keys would: lifting the triggers first."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(statement), params)
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                         "AND tbl_name = 'audit_events'")).all()
            for name, _ in triggers:
                conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(text(statement), params)
            for _, sql in triggers:
                conn.execute(text(sql))


def test_verify_passes_on_a_normal_log(app):
    ids = write_log()
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"all {len(ids)} rows verified" in result.output
    head = db.session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    assert head in result.output
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:], strict=False))


def test_verify_an_empty_log(app):
    result = verify(app)
    assert result.exit_code == 0 and "the log is empty" in result.output


@pytest.mark.parametrize("change, named, words", [
    ("UPDATE audit_events SET details = '{\"note\": \"nothing to see\"}' WHERE id = :third", "third",
     "its content does not match its hash"),
    ("UPDATE audit_events SET actor_id = NULL WHERE id = :third", "third", "its content does not match its hash"),
    ("UPDATE audit_events SET occurred_at = occurred_at - interval '1 day' WHERE id = :third", "third",
     "its content does not match its hash"),
    ("DELETE FROM audit_events WHERE id = :third", "fourth", "does not follow on from row"),
    ("UPDATE audit_events SET row_hash = :fake WHERE id = :third", "third", "its content does not match its hash"),
])
def test_verify_names_the_first_row_that_was_changed_or_removed(app, change, named, words):
    ids = write_log()
    third, fourth = ids[2], ids[3]
    if "interval" in change and db.engine.dialect.name == "sqlite":
        change = "UPDATE audit_events SET occurred_at = datetime(occurred_at, '-1 day') WHERE id = :third"
    tamper(change, third=third, fake="f" * 64)
    result = verify(app)
    assert result.exit_code == 1
    row_id = {"third": third, "fourth": fourth}[named]
    assert f"The audit log is broken at row {row_id} (" in result.output and words in result.output
    assert "The 2 rows before it are intact" in result.output


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_link_from_the_next(app):
    ids = write_log()
    row = db.session.get(AuditEvent, ids[2])
    forged = dict(row.details, n=99)
    fake = type("Row", (), dict(occurred_at=row.occurred_at, actor_id=row.actor_id, action=row.action,
                                subject_id=row.subject_id, object_type=row.object_type, object_id=row.object_id,
                                ip_address=row.ip_address, details=forged))
    import json

    tamper("UPDATE audit_events SET details = :details, row_hash = :hash WHERE id = :id",
           details=json.dumps(forged), hash=audit.chain_hash(row.prev_hash, fake), id=ids[2])
    result = verify(app)
    assert result.exit_code == 1
    assert f"broken at row {ids[3]} (" in result.output and f"does not follow on from row {ids[2]}" in result.output


def test_removing_the_newest_rows_is_noticed(app):
    ids = write_log()
    tamper("DELETE FROM audit_events WHERE id >= :last", last=ids[-2])
    result = verify(app)
    assert result.exit_code == 1
    assert "broken at the end of the log" in result.output and "rows at the end of the log were removed" in result.output


def test_truncate_is_refused_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused by the append-only trigger")
    write_log(3)
    for statement in ("TRUNCATE audit_events CASCADE", "TRUNCATE users CASCADE", "TRUNCATE audit_chain",
                      "DELETE FROM audit_chain"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3
    assert verify(app).exit_code == 0


def test_a_backdated_time_from_the_portal_is_ignored(app):
    row = audit.record(None, "test.backdated")
    row.occurred_at = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditEvent, row.id).occurred_at
    assert abs(stored - utcnow()) < timedelta(minutes=1)
    assert verify(app).exit_code == 0


def test_a_backdated_time_in_raw_sql_is_ignored_or_refused(app):
    insert = ("INSERT INTO audit_events (occurred_at, action, details, prev_hash, row_hash) "
              "VALUES ('2020-01-01 00:00:00', 'forged.event', '{}', :h, :h)")
    if db.engine.dialect.name == "postgresql":  # the trigger replaces the time
        with db.engine.begin() as conn:
            conn.execute(text(insert), {"h": "0" * 64})
        stored = db.session.scalar(select(AuditEvent.occurred_at).where(AuditEvent.action == "forged.event"))
        assert abs(stored - utcnow()) < timedelta(minutes=1)
        result = verify(app)
        assert result.exit_code == 1 and "its content does not match its hash" in result.output
    else:  # SQLite cannot rewrite the row in a trigger, so it refuses it
        with pytest.raises(DBAPIError, match="takes its time from the database clock"), db.engine.begin() as conn:
            conn.execute(text(insert), {"h": "0" * 64})


def test_concurrent_writers_never_fork_the_chain(app):
    person = SimpleNamespace(id=make_user("volunteer").id)  # no shared ORM object between the threads
    errors = []

    def writer(k):
        try:
            with app.app_context():
                for n in range(8):
                    audit.record(None, "test.concurrent", person, writer=k, n=n)
                    db.session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify_chain()
    assert result.ok, result.problem
    assert result.rows == 32
