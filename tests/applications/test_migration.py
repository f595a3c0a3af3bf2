"""Migration 0005 (apply again) keeps every application's referees and areas, even on SQLite, where dropping
a constraint rebuilds the table and the rebuild would otherwise cascade-delete them."""
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.core.services import sync_areas
from app.extensions import db
from tests.applications.factories import make_application
from tests.migration_support import create_kept_state_tables

ROOT = Path(__file__).resolve().parents[2]


def test_0005_keeps_referees_and_areas_both_ways(tmp_path, smtp_server):
    migrations = str(ROOT / "migrations")
    temp = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'upgrade.db'}",
                      MIGRATIONS_DIR=migrations, MAIL_PORT=smtp_server.port, MAIL_OUTBOX_DIR=str(tmp_path / "out"))
    counts = "SELECT (SELECT count(*) FROM referees), (SELECT count(*) FROM application_areas)"
    with temp.app_context():
        try:
            upgrade(directory=migrations, revision="0004_training")
            # Today's models write the version counters that 0007 adds; give the old tables them early.
            for table in ("users", "applications", "referees"):
                db.session.execute(text(f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 1"))
            # ... and the purge time that 0009 adds.
            db.session.execute(text("ALTER TABLE applications ADD COLUMN notes_purged_at TIMESTAMP"))
            db.session.execute(text("ALTER TABLE applications ADD COLUMN anonymised_at TIMESTAMP"))
            # ... and the phone number that 0019 adds (walk-ins without an account).
            db.session.execute(text("ALTER TABLE users ADD COLUMN phone VARCHAR(20)"))
            # ... and the leaver's anonymising time that 0018 adds.
            db.session.execute(text("ALTER TABLE users ADD COLUMN anonymised_at TIMESTAMP"))
            create_kept_state_tables()  # ... and the kept tables' state rows every commit reads (from 0029 on)
            sync_areas(ROOT / "policy" / "areas.toml")
            make_application(areas=("Durham", "Weardale"))
            make_application(areas=("Stanley",))
            assert db.session.execute(text(counts)).one() == (4, 3)
            db.session.remove()
            upgrade(directory=migrations, revision="0005_applications_review")
            assert db.session.execute(text(counts)).one() == (4, 3)
            names = db.session.scalars(text("SELECT name FROM referees ORDER BY id")).all()
            assert len(set(names)) == 4
            db.session.remove()
            downgrade(directory=migrations, revision="0004_training")
            assert db.session.execute(text(counts)).one() == (4, 3)
        finally:
            db.session.remove()
            db.engine.dispose()
