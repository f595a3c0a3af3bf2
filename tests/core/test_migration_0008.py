"""Migration 0008 chains the audit rows already written, and both ways keeps them append-only."""
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import audit, create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_0008_chains_existing_audit_rows_both_ways(tmp_path, smtp_server):
    migrations = str(ROOT / "migrations")
    temp = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'upgrade.db'}",
                      MIGRATIONS_DIR=migrations, MAIL_PORT=smtp_server.port, MAIL_OUTBOX_DIR=str(tmp_path / "out"))
    old_row = ("INSERT INTO audit_events (occurred_at, actor_id, action, subject_id, object_type, object_id, "
               "ip_address, details) VALUES (:at, NULL, :action, NULL, 'Application', 7, '10.0.0.1', :details)")
    with temp.app_context():
        try:
            upgrade(directory=migrations, revision="0006_training_review")
            for n, at in enumerate(["2026-01-05 09:00:00.123456", "2026-02-01 10:30:00.000000", "2026-03-01 12:00:00"]):
                db.session.execute(text(old_row), {"at": at, "action": f"old.event{n}", "details": f'{{"n": {n}}}'})
            db.session.commit()
            upgrade(directory=migrations)
            result = audit.verify_chain()
            assert result.ok and result.rows == 3, result.problem
            audit.record(None, "new.event", note="after the upgrade")
            db.session.commit()
            assert audit.verify_chain().rows == 4
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("UPDATE audit_events SET action = 'changed'"))
            db.session.remove()
            downgrade(directory=migrations, revision="0006_training_review")
            assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == 4
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_events"))
        finally:
            db.session.remove()
            db.engine.dispose()
