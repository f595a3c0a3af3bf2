"""Firing one action from several threads (or gunicorn workers) at the same moment.

`race(n, action)` runs action(i) in n threads released together by a barrier, each with its own app context
(so its own database session and connection), and returns what each returned. These tests commit for real.
"""
import threading
import time

import pytest
from sqlalchemy import func, select

from app.audit import AuditEvent
from app.extensions import db


@pytest.fixture
def race(app):
    def _race(n: int, action):
        barrier = threading.Barrier(n)
        results: list = [None] * n
        errors: list = []

        def run(i):
            try:
                with app.app_context():
                    barrier.wait(timeout=30)
                    results[i] = action(i)
                    db.session.remove()
            except BaseException as exc:  # noqa: BLE001  (reported below, with the thread's number)
                errors.append((i, exc))

        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, f"threads failed: {errors}"
        return results

    return _race


def audit_count(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def settle(inbox, expected: int, timeout: float = 5.0) -> list:
    """Wait for `expected` messages, then a little longer to be sure no more are on their way."""
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    return list(inbox.messages)
