"""Guesses fired in parallel: the limit is counted before the password is checked, so no more than the limit
ever reach the check (200 parallel guesses used to get 7 to 18 checks instead of 5)."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import services
from app.auth.models import Role, ThrottleCounter
from app.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.real_commits
GUESSES = 30
STRANGER, OWNER = "203.0.113.66", "192.0.2.10"


@pytest.fixture
def checks(monkeypatch):
    """How many times a password was checked against a stored hash, from any thread."""
    count = [0]
    lock = threading.Lock()
    real = services.verify_password

    def counting(*args):
        with lock:
            count[0] += 1
        return real(*args)

    monkeypatch.setattr(services, "verify_password", counting)
    return count


def post(app, email, password, source):
    return app.test_client().post("/sign-in", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": source})


def test_parallel_guesses_at_one_account_get_no_more_checks_than_the_free_failures(app, race, checks):
    email = make_user(Role.COORDINATOR).email  # read here: the threads must not load through this session
    responses = race(GUESSES, lambda i: post(app, email, f"guess number {i}", STRANGER))
    free = app.config["LOGIN_FREE_FAILURES"]
    assert checks[0] == free
    assert {r.status_code for r in responses} == {200}, [r.text[r.text.find("govuk-error-summary__list"):][:400] for r in responses if r.status_code != 200][:2]
    refused = [r for r in responses if "Too many attempts to sign in to this account from here" in r.text]
    assert len(refused) == GUESSES - free
    db.session.expire_all()
    counter = db.session.scalar(select(ThrottleCounter).where(ThrottleCounter.kind == "login"))
    assert counter.count == free


def test_parallel_guesses_at_many_accounts_from_one_address_stop_at_its_limit(app, race, checks, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_SOURCE", (5, timedelta(hours=1)))
    emails = [make_user(Role.VOLUNTEER).email for _ in range(GUESSES)]
    responses = race(GUESSES, lambda i: post(app, emails[i], "Winter2026!", STRANGER))
    assert checks[0] == 5
    assert sorted(r.status_code for r in responses) == [200] * 5 + [429] * (GUESSES - 5)


def test_the_owner_signs_in_from_their_address_while_a_stranger_hammers_the_account(app, race):
    email = make_user(Role.COORDINATOR).email

    def act(i):
        if i == 0:
            return post(app, email, DEFAULT_PASSWORD, OWNER)
        return post(app, email, f"guess number {i}", STRANGER)

    responses = race(GUESSES, act)
    assert responses[0].status_code == 302
    assert {r.status_code for r in responses[1:]} == {200}


@pytest.mark.slow
def test_parallel_guesses_over_http_to_three_workers_get_no_more_checks_than_the_free_failures(app, gunicorn):
    """As an attacker sends them: every failed check is audited, so the audit rows count the checks."""
    import hashlib
    import secrets

    from itsdangerous import URLSafeTimedSerializer

    from tests.concurrency.conftest import audit_count
    from tests.concurrency.test_over_http import SECRET, _fire, _request

    email = make_user(Role.COORDINATOR).email
    raw = hashlib.sha1(secrets.token_bytes(32)).hexdigest()
    with app.app_context():
        original, app.secret_key = app.secret_key, SECRET
        try:
            cookie = app.session_interface.get_signing_serializer(app).dumps({"csrf_token": raw})
        finally:
            app.secret_key = original
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={cookie}"
    csrf = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token").dumps(raw)
    guesses = [lambda i=i: _request(gunicorn, "POST", "/sign-in", {"email": email, "password": f"guess {i}",
                                                                    "csrf_token": csrf}, cookie)
               for i in range(GUESSES)]
    results = _fire(guesses)
    assert {status for status, _, _ in results} == {200}
    assert audit_count("auth.login_failed") == app.config["LOGIN_FREE_FAILURES"]
    assert sum("Too many attempts" in page for _, _, page in results) == GUESSES - app.config["LOGIN_FREE_FAILURES"]
