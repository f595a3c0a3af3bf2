"""The schema the tests use is the one `flask db upgrade` builds, and it matches the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.extensions import db


def test_migrations_have_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config(directory=app.config["MIGRATIONS_DIR"])
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; chain them"


def test_upgraded_schema_matches_models(app):
    """Autogenerate against the migrated database finds nothing to do."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_every_model_table_exists_in_the_database(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.real_commits  # raw SQL on a fresh connection: it must fail on the trigger, not on a lock
def test_audit_log_is_append_only_in_the_database(app):
    """Even raw SQL cannot change or delete an audit row."""
    from sqlalchemy.exc import DBAPIError

    from app import audit

    audit.record(None, "test.event")
    db.session.commit()
    for statement in ("UPDATE audit_events SET action = 'changed'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(text(statement))
    assert db.session.scalar(text("SELECT action FROM audit_events")) == "test.event"
