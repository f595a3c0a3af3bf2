"""Database settings the app applies for itself."""
import pytest


def test_postgresql_connections_run_without_jit():
    from app.config import engine_options

    base = {"pool_pre_ping": True}
    assert engine_options("sqlite:///x.db", base) == base
    tuned = engine_options("postgresql+psycopg://u@h/db", {**base, "connect_args": {"options": "-c work_mem=8MB"}})
    assert tuned["connect_args"]["options"] == "-c work_mem=8MB -c jit=off"
    assert tuned["pool_pre_ping"] is True and "connect_args" not in base


def test_the_database_in_use_answers_without_jit(app):
    from sqlalchemy import text

    from app.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.scalar(text("SHOW jit")) == "off"
