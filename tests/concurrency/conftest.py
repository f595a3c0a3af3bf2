"""Firing one action from several threads (or gunicorn workers) at the same moment.

`race(n, action)` runs action(i) in n threads released together by a barrier, each with its own app context
(so its own database session and connection), and returns what each returned. These tests commit for real.
"""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit import AuditEvent
from app.extensions import db
from tests.support.mail import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "gunicorn-race-test-secret-key-0123456789"


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


@pytest.fixture(scope="module")
def gunicorn(app, database_url, smtp_server, tmp_path_factory):
    """gunicorn with 3 workers on a loopback port, on the suite's (already migrated) database."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "APP_"))} | {
        "APP_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port),
        "PORTAL_URL": f"http://127.0.0.1:{port}", "MAIL_OUTBOX_DIR": str(tmp_path_factory.mktemp("gunicorn-mail")),
    }
    log = (tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
                                "--timeout", "60", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _healthy(port):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: see {log.name}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _healthy(port: int) -> bool:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}"})
        return connection.getresponse().status == 200
    finally:
        connection.close()
