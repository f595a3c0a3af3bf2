"""Migration 0009 on existing data: decisions made before it need no confirmation, keep their checks, and gain
no conditions; existing Update Service subscriptions lapse a year after joining unless a renewal is recorded;
lived-experience notes (free text that carried offence detail) are deleted, the categories kept."""
from datetime import date
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import audit, create_app
from app.auth.models import Role
from app.extensions import db
from app.vetting import rules
from app.vetting.enums import DbsOutcome
from app.vetting.models import DbsCheck
from app.vetting.policy import current_policy
from tests.factories import make_user
from tests.migration_support import create_kept_state_tables

ROOT = Path(__file__).resolve().parents[2]


class Application:
    """Stands in for an application row, to audit steps before the models match the schema."""

    def __init__(self, id):
        self.id = id


def test_0009_keeps_existing_decisions_good_both_ways(tmp_path, smtp_server):
    migrations = str(ROOT / "migrations")
    temp = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'upgrade.db'}",
                      MIGRATIONS_DIR=migrations, MAIL_PORT=smtp_server.port, MAIL_OUTBOX_DIR=str(tmp_path / "out"))
    counts = "SELECT (SELECT count(*) FROM dbs_checks), (SELECT count(*) FROM dbs_decisions)"
    with temp.app_context():
        try:
            upgrade(directory=migrations, revision="0014_readiness")
            # Today's models write the phone number that 0019 adds (walk-ins without an account).
            db.session.execute(text("ALTER TABLE users ADD COLUMN phone VARCHAR(20)"))
            # Today's models write the leaver's anonymising time that 0018 adds; give the old table it early.
            db.session.execute(text("ALTER TABLE users ADD COLUMN anonymised_at TIMESTAMP"))
            create_kept_state_tables()  # read by every commit from 0029 on (empty: nothing kept)
            volunteer = make_user(Role.VOLUNTEER)
            db.session.execute(text(
                "INSERT INTO applications (id, user_id, status, availability, lived_experience, lived_experience_note, "
                "consent_data, consent_checks, steps_done, possible_duplicate, created_at, updated_at, version) VALUES "
                "(1, :v, 'withdrawn', '[]', '[\"homelessness\", \"offending\"]', 'Convicted in 2019 of ...', 1, 1, "
                "'[]', 0, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1)"), {"v": volunteer.id})
            audit.record(volunteer, "application.start_review", volunteer, obj=Application(1), note="Knows the area well")
            audit.record(volunteer, "application.withdraw", volunteer, obj=Application(1), reason="Moving away")
            audit.record(volunteer, "application.decline", volunteer, obj=Application(1), reason="risk", note="x")
            db.session.execute(text(
                "INSERT INTO dbs_checks (id, volunteer_id, level, workforce, volunteer_check, requested_on, "
                "submitted_on, certificate_number, issued_on, outcome, subscribed_on, created_at, version) VALUES "
                "(1, :v, 'enhanced', 'adult', 1, '2026-01-02', '2026-01-03', '001234567890', '2026-02-01', "
                "'disclosed', '2026-02-03', '2026-02-01 10:00:00', 1)"), {"v": volunteer.id})
            db.session.execute(text(
                "INSERT INTO dbs_decisions (id, dbs_check_id, decision, rationale, decided_on, created_at) VALUES "
                "(1, 1, 'approved', 'Old offence.', '2026-02-05', '2026-02-05 10:00:00')"))
            db.session.commit()
            db.session.remove()
            upgrade(directory=migrations, revision="0009_safer_recruitment")
            assert db.session.execute(text(counts)).one() == (1, 1)
            columns = {c["name"] for c in inspect(db.engine).get_columns("applications")}
            assert "lived_experience_note" not in columns  # the offence detail is gone ...
            notes = db.session.execute(text("SELECT text FROM application_notes ORDER BY id")).scalars().all()
            assert notes == ["Knows the area well", "Moving away"]  # step notes copied where the purge reaches
            assert db.session.scalar(text("SELECT lived_experience FROM applications")) == '["homelessness", "offending"]'
            check = db.session.get(DbsCheck, 1)
            [decision] = check.decisions
            assert decision.needs_confirmation is False and decision.conditions == []
            assert check.outcome == DbsOutcome.DISCLOSED and decision.confirmation is None
            facts = check.facts()
            assert rules.dbs_gate([facts], current_policy(), date(2026, 6, 1)).ok  # no confirmation asked after the fact
            assert facts.renewal_date == date(2027, 2, 3)
            db.session.remove()
            downgrade(directory=migrations, revision="0014_readiness")
            assert db.session.execute(text(counts)).one() == (1, 1)
        finally:
            db.session.remove()
            db.engine.dispose()
