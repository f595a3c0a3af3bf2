"""Sign-up, "send the link again" and password reset say nothing about whether an address has an account,
in the page, the status or the time taken, and cannot be used to flood someone's inbox."""
import re
import statistics
import time
from datetime import timedelta

import pytest

from app.auth import services
from app.extensions import db
from tests.factories import make_user

PASSWORD = "river lantern meadow"
HERE, ELSEWHERE = "198.51.100.7", "198.51.100.8"


def sign_up(client, email, source=HERE):
    return client.post("/sign-up", data={"full_name": "Some One", "email": email, "password": PASSWORD,
                                         "confirm": PASSWORD}, environ_base={"REMOTE_ADDR": source})


def resend(client, email, source=HERE):
    return client.post("/confirm-email/send-again", data={"email": email}, environ_base={"REMOTE_ADDR": source})


def reset(client, email, source=HERE):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": source})


def same_page(a, b, a_email, b_email) -> bool:
    def normalise(response, email):
        return response.status_code, response.headers.get("Location"), \
            re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True).replace(email, "X"))
    return normalise(a, a_email) == normalise(b, b_email)


@pytest.fixture
def counted(monkeypatch):
    """Calls of the password hash and of send_email in the auth services, by name."""
    calls = {"hash": 0, "mail": 0}

    def wrap(name, real):
        def counting(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return counting

    monkeypatch.setattr(services, "hash_password", wrap("hash", services.hash_password))
    monkeypatch.setattr(services, "send_email", wrap("mail", services.send_email))

    def take():
        seen = dict(calls)
        calls.update(hash=0, mail=0)
        return seen

    return take


def test_sign_up_does_the_same_work_for_a_new_and_an_existing_address(client, smtp, counted):
    make_user("volunteer", email="taken@example.org")
    existing = sign_up(client, "taken@example.org")
    existing_work = counted()
    new = sign_up(client, "fresh@example.org")
    assert counted() == existing_work == {"hash": 1, "mail": 1}  # the hash was all the 19 vs 385 ms
    assert same_page(existing, new, "taken@example.org", "fresh@example.org")
    assert smtp.last("taken@example.org")["Subject"] == "You already have an account"
    assert smtp.last("fresh@example.org")["Subject"] == "Confirm your e-mail address"


@pytest.mark.parametrize("kind", ["unknown", "unverified", "verified", "deactivated"])
def test_reset_and_send_again_send_one_e_mail_whatever_the_address(client, smtp, counted, kind):
    email = f"{kind}@example.org"
    if kind != "unknown":
        person = make_user("applicant", email=email, verified=kind != "unverified")
        if kind == "deactivated":
            person.deactivated_at = person.created_at
            db.session.commit()
    for ask in (reset, resend):
        counted()
        response = ask(client, email)
        assert counted()["mail"] == 1, ask.__name__
        assert response.status_code in (200, 302)
    subjects = [m["Subject"] for m in smtp.to(email)]
    expected = {
        "unknown": ["You do not have an account with us"] * 2,
        "deactivated": ["You do not have an account with us"] * 2,
        "unverified": ["Reset your password", "Confirm your e-mail address"],
        "verified": ["Reset your password", "Your e-mail address is already confirmed"],
    }
    assert subjects == expected[kind]


def test_send_again_answers_the_same_for_any_address(client, smtp):
    make_user("applicant", email="waiting@example.org", verified=False)
    known, unknown = resend(client, "waiting@example.org"), resend(client, "nobody@example.org")
    assert same_page(known, unknown, "waiting@example.org", "nobody@example.org")


def _medians(first, second, runs):
    """Median seconds of each action, run in turn (first, second, first, ...) so a busy moment slows both."""
    times = ([], [])
    for _ in range(runs):
        for action, seen in zip((first, second), times, strict=True):
            start = time.perf_counter()
            action()
            seen.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def _close(first: float, second: float, tolerance: float) -> bool:
    return abs(first - second) < tolerance


def test_sign_up_and_reset_take_as_long_for_a_real_address_as_for_an_unknown_one(app, client, monkeypatch, smtp):
    """With a hash as costly as a real one (so the old 19 vs 385 ms gap would show), the medians of interleaved
    runs differ by far less than a hash costs. A busy machine adds noise, never a steady gap, so a miss is
    measured again (up to three times); the old code's gap (a whole hash) fails every time."""
    for setting, value in {"PASSWORD_HASH_TIME_COST": 2, "PASSWORD_HASH_MEMORY_COST": 19 * 1024,  # OWASP's least
                           "ACCOUNT_MAIL_LIMIT_PER_ADDRESS": (1000, timedelta(hours=1)),
                           "SIGNUP_LIMIT_PER_SOURCE": (1000, timedelta(hours=1)),
                           "RESET_LIMIT_PER_SOURCE": (1000, timedelta(hours=1))}.items():
        monkeypatch.setitem(app.config, setting, value)
    make_user("volunteer", email="real@example.org")
    counter = iter(range(10**6))
    seen = []
    for _ in range(3):
        hash_cost = _medians(lambda: services.hash_password(PASSWORD), lambda: None, 5)[0]
        sign_up_real, sign_up_new = _medians(lambda: sign_up(client, "real@example.org"),
                                             lambda: sign_up(client, f"new{next(counter)}@example.org"), 7)
        reset_real, reset_unknown = _medians(lambda: reset(client, "real@example.org"),
                                             lambda: reset(client, "ghost@example.org"), 7)
        seen.append([round(t * 1000) for t in (hash_cost, sign_up_real, sign_up_new, reset_real, reset_unknown)])
        reset_tolerance = max(0.010, 0.25 * max(reset_real, reset_unknown))
        if _close(sign_up_real, sign_up_new, 0.5 * hash_cost) and _close(reset_real, reset_unknown, reset_tolerance):
            return
    pytest.fail(f"answers for real and unknown addresses took different times (ms: hash, sign-up real, new, "
                f"reset real, unknown): {seen}")


def test_account_e_mails_to_one_address_are_limited_across_sign_up_send_again_and_reset(app, client, smtp):
    make_user("volunteer", email="victim@example.org")
    limit, _ = app.config["ACCOUNT_MAIL_LIMIT_PER_ADDRESS"]
    asks = [sign_up, resend, reset] * limit
    pages = [ask(client, "victim@example.org", source=f"192.0.2.{n}") for n, ask in enumerate(asks)]
    assert len(smtp.to("victim@example.org")) == limit  # 100 "you already have an account" reached one victim
    over = pages[limit:]
    for n, page in enumerate(over, start=limit):
        assert same_page(page, pages[n % 3], "victim@example.org", "victim@example.org")  # as when sent


def test_the_share_of_e_mails_comes_back_after_its_window(app, client, smtp):
    from freezegun import freeze_time

    limit, window = app.config["ACCOUNT_MAIL_LIMIT_PER_ADDRESS"]
    with freeze_time("2026-11-21 10:00:00") as frozen:
        for _ in range(limit + 1):
            reset(client, "later@example.org")
        frozen.tick(window + timedelta(seconds=1))
        reset(client, "later@example.org")
    assert len(smtp.to("later@example.org")) == limit + 1


@pytest.mark.parametrize("ask,setting,template_text", [
    (sign_up, "SIGNUP_LIMIT_PER_SOURCE", "Create an account"),
    (resend, "RESEND_LIMIT_PER_SOURCE", "Send the link"),
    (reset, "RESET_LIMIT_PER_SOURCE", "Send the link"),
])
def test_one_address_sending_too_many_requests_gets_a_429(app, client, smtp, monkeypatch, ask, setting, template_text):
    monkeypatch.setitem(app.config, setting, (3, timedelta(hours=1)))
    for n in range(3):
        assert ask(client, f"person{n}@example.org").status_code in (200, 302)
    sent = len(smtp.messages)
    refused = ask(client, "one.more@example.org")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"
    assert "Too many requests from this connection. Wait 60 minutes and try again" in refused.text
    assert 'value="one.more@example.org"' in refused.text and template_text in refused.text
    assert len(smtp.messages) == sent and smtp.to("one.more@example.org") == []
    assert ask(client, "one.more@example.org", source=ELSEWHERE).status_code in (200, 302)
