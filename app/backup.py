"""`flask db backup`: a consistent copy of the SQLite database, taken while the portal keeps running."""
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path


class BackupError(Exception):
    """The backup could not be taken; the message says why."""


def backup_sqlite(source: str, target: Path, pages_per_step: int = 256,
                  progress: Callable[[int, int], None] | None = None) -> str:
    """Copy `source` to `target` with SQLite's online backup API; returns the copy's integrity check ("ok").

    The copy is the database exactly as it was when the backup began: one read transaction is held for the
    whole copy, so writers carry on (write-ahead log) and the copy never has to restart.
    """
    check_target(target)
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30, isolation_level=None)
    dst = sqlite3.connect(partial, isolation_level=None)
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # starts the read snapshot
        src.backup(dst, pages=pages_per_step, sleep=0,
                   progress=(lambda status, remaining, total: progress(total - remaining, total)) if progress else None)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, with no -wal beside it
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {exc}.") from exc
    finally:
        src.close()
        dst.close()
    os.replace(partial, target)
    return check


def check_target(target: Path) -> None:
    """Refuse to write over a file."""
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name (a backup never overwrites a file).")


def page_count(source: str) -> int:
    """How many pages the database has now (for a progress bar)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
        return conn.execute("PRAGMA page_count").fetchone()[0]
