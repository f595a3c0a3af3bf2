"""Sign-in limits a stranger cannot turn against the owner: per account from one address, with growing waits,
per address across accounts, and a password reset that clears the account's counts."""
import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.auth.models import ThrottleCounter
from app.extensions import db
from tests.auth.test_sessions_and_passwords import reset_link
from tests.factories import DEFAULT_PASSWORD, make_user

OWNER, STRANGER = "192.0.2.10", "203.0.113.66"


def sign_in(client, email, password, source):
    return client.post("/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": source})


def test_a_strangers_guesses_never_keep_the_owner_out(app, client):
    make_user("coordinator", email="coord@example.org")
    for n in range(4 * app.config["LOGIN_FREE_FAILURES"]):  # the old lock took 5; 20 an hour kept them out
        sign_in(client, "coord@example.org", f"guess {n}", STRANGER)
    stranger = sign_in(client, "coord@example.org", DEFAULT_PASSWORD, STRANGER)
    assert stranger.status_code == 200 and "Too many attempts to sign in to this account from here" in stranger.text
    owner = sign_in(app.test_client(), "coord@example.org", DEFAULT_PASSWORD, OWNER)
    assert owner.status_code == 302


def test_waits_start_after_the_free_failures_double_and_stop_growing(app, client, monkeypatch):
    make_user("volunteer", email="typo@example.org")
    free, first, longest = (app.config[k] for k in ("LOGIN_FREE_FAILURES", "LOGIN_FIRST_DELAY", "LOGIN_LONGEST_DELAY"))
    checked = []
    from app.auth import services

    real = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda *a: checked.append(1) or real(*a))
    waits = []
    with freeze_time("2026-11-21 10:00:00") as frozen:
        for _ in range(free):
            assert "Enter a correct e-mail address and password" in sign_in(client, "typo@example.org", "nope", OWNER).text
        wait = first
        while wait < longest:
            refused = sign_in(client, "typo@example.org", DEFAULT_PASSWORD, OWNER)  # the right one, too early
            assert "Too many attempts" in refused.text
            frozen.tick(wait)
            waits.append(wait)
            sign_in(client, "typo@example.org", "nope", OWNER)
            wait = min(wait * 2, longest)
        frozen.tick(longest - timedelta(seconds=1))
        assert "Wait 1 second" in sign_in(client, "typo@example.org", DEFAULT_PASSWORD, OWNER).text
        frozen.tick(timedelta(seconds=1))
        assert sign_in(client, "typo@example.org", DEFAULT_PASSWORD, OWNER).status_code == 302
    assert waits[:3] == [first, 2 * first, 4 * first]
    assert len(checked) == free + len(waits) + 1  # a refused attempt never reaches the password check


def test_the_wait_is_said_in_words(client):
    make_user("volunteer", email="words@example.org")
    with freeze_time("2026-11-21 10:00:00"):
        for _ in range(5):
            sign_in(client, "words@example.org", "nope", OWNER)
        page = sign_in(client, "words@example.org", "nope", OWNER).text
    assert "Wait 30 seconds and try again, or reset your password" in page


def test_unknown_addresses_are_delayed_the_same_way(app, client):
    """Otherwise the wait would tell a stranger which addresses have accounts."""
    make_user("volunteer", email="real@example.org")
    pages = {}
    for email in ("real@example.org", "ghost@example.org"):
        for _ in range(app.config["LOGIN_FREE_FAILURES"]):
            sign_in(client, email, "nope", STRANGER)
        page = sign_in(client, email, "nope", STRANGER).text.replace(email, "X")
        pages[email] = re.sub(r'nonce="[^"]+"', "", page)
    assert pages["real@example.org"] == pages["ghost@example.org"]


def test_a_password_reset_clears_the_accounts_counts_from_every_address(app, client, smtp):
    make_user("volunteer", email="reset.me@example.org")
    for source in (STRANGER, OWNER):
        for n in range(app.config["LOGIN_FREE_FAILURES"]):
            sign_in(client, "reset.me@example.org", f"wrong {n}", source)
    assert "Too many attempts" in sign_in(client, "reset.me@example.org", DEFAULT_PASSWORD, OWNER).text
    path = reset_link(client, smtp, "reset.me@example.org")
    client.post(path, data={"password": "a brand new phrase", "confirm": "a brand new phrase"})
    assert sign_in(client, "reset.me@example.org", "a brand new phrase", OWNER).status_code == 302
    assert db.session.scalars(select(ThrottleCounter).where(ThrottleCounter.kind == "login")).all() == []


def test_a_success_clears_the_count_for_that_account_from_that_address(app, client):
    make_user("volunteer", email="forgetful@example.org")
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(2):
        for n in range(free - 1):
            sign_in(client, "forgetful@example.org", f"wrong {n}", OWNER)
        assert sign_in(client, "forgetful@example.org", DEFAULT_PASSWORD, OWNER).status_code == 302
        client.post("/sign-out")


def test_the_count_starts_again_after_a_day(app, client):
    make_user("volunteer", email="tomorrow@example.org")
    free = app.config["LOGIN_FREE_FAILURES"]
    with freeze_time("2026-11-21 10:00:00") as frozen:
        for n in range(free):
            sign_in(client, "tomorrow@example.org", f"wrong {n}", OWNER)
        frozen.tick(app.config["LOGIN_FAILURES_KEPT"] + timedelta(seconds=1))
        for n in range(free - 1):  # a fresh allowance: these cost nothing
            sign_in(client, "tomorrow@example.org", f"wrong {n}", OWNER)
        assert sign_in(client, "tomorrow@example.org", DEFAULT_PASSWORD, OWNER).status_code == 302


def test_one_address_trying_many_accounts_is_limited_with_a_429(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_SOURCE", (6, timedelta(hours=1)))
    emails = [make_user("volunteer").email for _ in range(7)]
    for email in emails[:6]:
        assert sign_in(client, email, "Summer2026!", STRANGER).status_code == 200
    refused = sign_in(client, emails[6], DEFAULT_PASSWORD, STRANGER)
    assert refused.status_code == 429
    assert "Too many attempts to sign in from this connection. Wait 60 minutes" in refused.text
    assert 3590 <= int(refused.headers["Retry-After"]) <= 3600
    assert sign_in(app.test_client(), emails[6], DEFAULT_PASSWORD, OWNER).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_addresss_allowance(app, client, monkeypatch):
    """An office behind one address signs in all day without hitting the per-address limit."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_SOURCE", (3, timedelta(hours=1)))
    people = [make_user("volunteer") for _ in range(6)]
    for person in people:
        office = app.test_client()
        assert sign_in(office, person.email, DEFAULT_PASSWORD, OWNER).status_code == 302


@pytest.mark.parametrize("source", ["", "unknown", "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255"])
def test_odd_source_addresses_are_counted_without_error(client, source):
    make_user("volunteer", email="odd@example.org")
    assert sign_in(client, "odd@example.org", "nope", source).status_code == 200


def test_purge_forgets_counters_over_a_day_old_but_not_a_wait_still_running(app, client):
    from app import throttle

    with freeze_time("2026-11-20 09:00:00"):
        throttle.claim("login", "old@example.org", OWNER, None, timedelta(hours=24))
        throttle.claim("login", "waiting@example.org", OWNER, None, timedelta(hours=24))
        throttle.hold_off("login", "waiting@example.org", OWNER, timedelta(days=3))
    with freeze_time("2026-11-21 10:00:00"):
        throttle.claim("login", "fresh@example.org", OWNER, None, timedelta(hours=24))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["maintenance", "purge-throttle"])
    assert "1 old attempt counters removed" in result.output
    assert sorted(db.session.scalars(select(ThrottleCounter.subject))) == ["fresh@example.org", "waiting@example.org"]


def test_no_limit_outlives_the_daily_purge(app):
    windows = [v[1] for k, v in app.config.items() if k.endswith(("_LIMIT_PER_SOURCE", "_LIMIT_PER_ADDRESS"))]
    assert len(windows) == 5
    assert max(windows + [app.config["LOGIN_FAILURES_KEPT"]]) <= timedelta(days=1)
