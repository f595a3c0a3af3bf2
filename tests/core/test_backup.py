"""`flask db backup PATH`: SQLite's online backup, consistent while the portal keeps writing; pg_dump on PostgreSQL."""
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from app.backup import BackupError, backup_sqlite
from app.cli import db_backup
from app.core.models import Area
from app.extensions import db

# Other connections (triggers lifted, threads, servers, cron) must see these rows: they commit for real.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def sqlite_file(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's online backup")
    return db.engine.url.database


def keep_writing_users(path: str, stop: threading.Event, committed: list[int]) -> None:
    """Another process, as it were: add users one commit at a time until told to stop."""
    conn = sqlite3.connect(path, timeout=30)
    n = 0
    while not stop.is_set():
        n += 1
        cursor = conn.execute(
            "INSERT INTO users (email, full_name, password_hash, session_token, text_size, created_at) "
            "VALUES (?, ?, 'x', ?, 'normal', '2026-12-01 10:00:00.000000')",
            (f"writer{n}@example.org", f"Writer {n} " + "x" * 200, f"token-{n}"))
        conn.commit()
        committed.append(cursor.lastrowid)
    conn.close()


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_a_backup_taken_while_users_are_written_holds_every_row_committed_before_it(sqlite_file, tmp_path):
    stop, committed = threading.Event(), []
    writer = threading.Thread(target=keep_writing_users, args=(sqlite_file, stop, committed))
    writer.start()
    try:
        wait_for(lambda: len(committed) >= 200)
        before = list(committed)  # committed before the backup starts
        steps = []

        def progress(done, total):
            steps.append(done)
            assert len(steps) < 2000, "the copy keeps starting again"
            seen = len(committed)
            wait_for(lambda: len(committed) > seen)  # the writer commits more during every step of the copy

        check = backup_sqlite(sqlite_file, tmp_path / "copy.db", pages_per_step=4, progress=progress)
    finally:
        stop.set()
        writer.join()
    assert check == "ok" and len(steps) > 5
    restored = sqlite3.connect(tmp_path / "copy.db")
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    ids = [row[0] for row in restored.execute("SELECT id FROM users ORDER BY id")]
    assert set(before) <= set(ids)
    assert ids == list(range(ids[0], ids[-1] + 1))  # a consistent moment: no row missing in between
    assert ids[-1] < committed[-1]  # rows written once the copy had begun are not half in it
    assert restored.execute("SELECT count(*) FROM areas").fetchone()[0] == 15
    restored.close()


def test_the_command_shows_progress_checks_the_copy_and_never_overwrites(app, sqlite_file, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "portal-backup.db"
    result = runner.invoke(db_backup, [str(target)])
    assert result.exit_code == 0, result.output
    assert f"db: backed up to {target} (integrity check: ok)" in result.stdout
    assert "Backing up" in result.stderr
    with sqlite3.connect(target) as restored:
        assert restored.execute("SELECT count(*) FROM areas").fetchone()[0] == db.session.scalar(
            select(func.count()).select_from(Area))
    result = runner.invoke(db_backup, [str(target)])
    assert result.exit_code == 1 and "already exists" in result.output and "Backing up" not in result.stderr
    assert not (tmp_path / "portal-backup.db.partial").exists()
    with pytest.raises(BackupError, match="already exists"):
        backup_sqlite(sqlite_file, target)


def test_postgresql_is_backed_up_with_pg_dump(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL")
    result = app.test_cli_runner().invoke(db_backup, [str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "back it up with pg_dump" in result.output and not (tmp_path / "x.db").exists()


def test_backup_is_a_db_subcommand(app):
    from flask_migrate.cli import db as db_group

    assert db_group.get_command(None, "backup") is db_backup
