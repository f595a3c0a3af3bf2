"""The races again, as an attacker or a busy office would send them: over HTTP to gunicorn with 3 workers.

The test starts gunicorn on a loopback port against the suite's database, signs people in with session
cookies signed by the same key, and sends the requests from threads released together.
"""
import hashlib
import http.client
import secrets
import threading
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.applications.models import Application
from app.applications.rules import Status
from app.auth.models import Role, User
from app.extensions import db
from app.training import services as training
from app.training.models import Booking, BookingStatus
from tests.applications.factories import ready_to_accept
from tests.concurrency.conftest import SECRET, audit_count, settle
from tests.concurrency.test_races import assert_seats_add_up
from tests.factories import make_user
from tests.training.factories import make_session, make_volunteer

pytestmark = [pytest.mark.real_commits, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _request(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": f"127.0.0.1:{port}"}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    result = response.status, response.getheader("Location"), response.read().decode()
    connection.close()
    return result


class Person:
    """A signed-in browser: a session cookie signed with the server's key, and a CSRF token for its forms."""

    def __init__(self, app, user: User):
        raw = hashlib.sha1(secrets.token_bytes(32)).hexdigest()
        now = datetime.now(UTC).timestamp()
        data = {"_user_id": user.session_token, "_fresh": True, "login_at": now, "seen_at": now, "sid": "http",
                "csrf_token": raw}
        with app.app_context():
            original, app.secret_key = app.secret_key, SECRET
            try:
                signed = app.session_interface.get_signing_serializer(app).dumps(data)
            finally:
                app.secret_key = original
        self.cookie = f"{app.config['SESSION_COOKIE_NAME']}={signed}"
        self.csrf = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token").dumps(raw)

    def post(self, port: int, path: str, form: dict | None = None):
        return _request(port, "POST", path, (form or {}) | {"csrf_token": self.csrf}, self.cookie)


def _fire(requests):
    """Send every (callable) at once from its own thread; returns their results."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i):
        barrier.wait(timeout=30)
        results[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_accept_and_decline_over_http_one_decision_stands(app, gunicorn, smtp, attempt):
    application = ready_to_accept(areas=("Durham",))
    coordinator = Person(app, make_user(Role.COORDINATOR, areas=["Durham"]))
    manager = Person(app, make_user(Role.MANAGER))
    base = f"/applications/{application.id}"
    smtp.clear()
    results = _fire([lambda: coordinator.post(gunicorn, f"{base}/accept", {"note": "Welcome"}),
                     lambda: manager.post(gunicorn, f"{base}/decline", {"reason": "not_ready", "note": "Next year"})])
    assert [status for status, _, _ in results] == [302, 302], results
    assert all(location.endswith(base) for _, location, _ in results)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    person = db.session.get(User, application.user_id)
    assert audit_count("application.accept") + audit_count("application.decline") == 1
    assert application.status in (Status.ACCEPTED, Status.DECLINED)
    assert (application.status == Status.ACCEPTED) == person.has_role(Role.VOLUNTEER)
    assert len(settle(smtp, 1)) == 1


def test_five_cancels_over_http_free_one_seat(app, gunicorn, smtp):
    session = make_session(capacity=2)
    people = [make_volunteer() for _ in range(3)]
    for person in people:
        training.book_session(session, person)
        db.session.commit()
    booking = db.session.scalar(select(Booking).where(Booking.user_id == people[0].id))
    leaving = Person(app, people[0])
    smtp.clear()
    results = _fire([lambda: leaving.post(gunicorn, f"/training/bookings/{booking.id}/cancel")] * 5)
    assert all(status == 302 for status, _, _ in results), results
    assert audit_count("training.booking_cancelled") == 1
    assert audit_count("training.promoted_from_waitlist") == 1
    assert_seats_add_up(session.id)
    assert db.session.scalar(select(Booking.status).where(Booking.user_id == people[2].id)) is BookingStatus.BOOKED
    assert len(settle(smtp, 2)) == 2
