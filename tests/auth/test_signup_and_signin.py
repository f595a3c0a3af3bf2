"""Sign-up by e-mail verification, sign-in, and what sign-in never reveals."""
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.audit import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user


def sign_up(client, email="new.person@example.org", password="river lantern meadow", **extra):
    data = {"full_name": "New Person", "email": email, "password": password, "confirm": password} | extra
    return client.post("/sign-up", data=data)


def test_sign_up_sends_a_link_that_confirms_the_address(client, smtp):
    response = sign_up(client)
    assert response.status_code == 302 and "/sign-up/check-your-email" in response.headers["Location"]
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.email_verified_at is None and user.roles == {Role.APPLICANT}
    link = smtp.link(smtp.last("new.person@example.org"), "/confirm-email/")
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200  # a page with a button: link scanners change nothing
    db.session.refresh(user)
    assert user.email_verified_at is None
    client.post("/" + path)
    db.session.refresh(user)
    assert user.email_verified_at is not None


def test_unverified_account_cannot_sign_in_and_gets_a_new_link(client, smtp):
    make_user("applicant", email="unverified@example.org", verified=False)
    response = client.post("/sign-in", data={"email": "unverified@example.org", "password": DEFAULT_PASSWORD})
    assert "check-your-email" in response.headers["Location"]
    assert "/confirm-email/" in smtp.body(smtp.last("unverified@example.org"))


def test_signing_up_twice_with_one_address_does_not_reveal_it(client, smtp):
    make_user("volunteer", email="taken@example.org")
    response = sign_up(client, email="taken@example.org")
    assert response.status_code == 302 and "/sign-up/check-your-email" in response.headers["Location"]
    assert smtp.last("taken@example.org")["Subject"] == "You already have an account"
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.email == "taken@example.org")) == 1


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-email", "Enter an e-mail address in the correct format"),
    ("email", "", "Enter your e-mail address"),
    ("full_name", "", "Enter your full name"),
    ("full_name", "x" * 201, "Full name must be 200 characters or fewer"),
    ("password", "short", "Password must be 8 characters or more"),
    ("password", "password1", "That password is too common"),
    ("password", "a" * 129, "Password must be 128 characters or fewer"),
    ("password", "abababababab", "Password must not be one or two characters repeated"),
    ("confirm", "something else entirely", "The passwords do not match"),
])
def test_sign_up_validation_is_specific_and_keeps_what_was_typed(client, field, value, message):
    data = {"full_name": "Kept Name", "email": "kept@example.org", "password": "river lantern meadow",
            "confirm": "river lantern meadow"}
    data[field] = value
    if field == "password":
        data["confirm"] = value
    response = client.post("/sign-up", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page
    if field != "full_name":
        assert 'value="Kept Name"' in page


def test_long_passphrases_and_any_characters_are_allowed(client):
    phrase = "ein sehr langer Satz mit Umlauten äöü und Zeichen !@#$%^&*() " * 2
    assert sign_up(client, password=phrase[:120]).status_code == 302


def test_sign_in_failure_says_the_same_for_unknown_email_and_wrong_password(client):
    make_user("volunteer", email="known@example.org")
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": "whatever123"})
    wrong = client.post("/sign-in", data={"email": "known@example.org", "password": "whatever123"})
    assert unknown.status_code == wrong.status_code == 200
    for response in (unknown, wrong):
        assert "Enter a correct e-mail address and password" in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [
    {}, {"email": "x"}, {"email": "a@b.c", "password": ""}, {"email": "\x00@example.org", "password": "x"},
    {"email": "a" * 5000, "password": "b" * 5000},
])
def test_bad_sign_in_input_never_500s(client, data):
    assert client.post("/sign-in", data=data).status_code == 200


@pytest.mark.real_commits  # the second app instance has its own connections: it sees only committed rows
def test_sign_in_waits_are_counted_across_processes(app, client):
    """Counters live in the database: a second app instance (another process) sees the same count."""
    from app import create_app

    make_user("volunteer", email="target@example.org")
    free = app.config["LOGIN_FREE_FAILURES"]
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=False)
    for n in range(free):
        target = client if n % 2 else other.test_client()
        target.post("/sign-in", data={"email": "target@example.org", "password": f"wrong guess {n}"})
    response = client.post("/sign-in", data={"email": "target@example.org", "password": DEFAULT_PASSWORD})
    assert "Too many attempts to sign in to this account from here. Wait 30 seconds" in response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers


def test_the_wait_lifts_after_its_time(app, client):
    make_user("volunteer", email="patient@example.org")
    with freeze_time("2026-11-21 10:00:00") as frozen:
        for n in range(app.config["LOGIN_FREE_FAILURES"]):
            client.post("/sign-in", data={"email": "patient@example.org", "password": f"wrong {n}"})
        frozen.tick(app.config["LOGIN_FIRST_DELAY"] - timedelta(seconds=1))
        early = client.post("/sign-in", data={"email": "patient@example.org", "password": DEFAULT_PASSWORD})
        frozen.tick(timedelta(seconds=2))
        response = client.post("/sign-in", data={"email": "patient@example.org", "password": DEFAULT_PASSWORD})
    assert "Wait 1 second" in early.get_data(as_text=True)
    assert response.status_code == 302


def test_successful_sign_in_is_audited_and_failures_too(client):
    make_user("volunteer", email="audited@example.org")
    client.post("/sign-in", data={"email": "audited@example.org", "password": "wrong password"})
    client.post("/sign-in", data={"email": "audited@example.org", "password": DEFAULT_PASSWORD})
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["auth.login_failed", "auth.login"]


@pytest.mark.parametrize("target,expected", [
    ("/admin/people", "/admin/people"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/", "/"),
    ("/\\evil.example.com", "/"),
])
def test_sign_in_returns_only_to_same_site_pages(client, target, expected):
    make_user("admin", email="nexty@example.org")
    response = client.post(f"/sign-in?next={target}", data={"email": "nexty@example.org", "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == expected


def test_weaker_hash_is_upgraded_at_sign_in(app, client):
    from argon2 import PasswordHasher

    user = make_user("volunteer", email="oldhash@example.org")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(DEFAULT_PASSWORD)
    db.session.commit()
    old = user.password_hash
    client.post("/sign-in", data={"email": "oldhash@example.org", "password": DEFAULT_PASSWORD})
    db.session.refresh(user)
    assert user.password_hash != old
    assert f"m={app.config['PASSWORD_HASH_MEMORY_COST']}" in user.password_hash
    assert user.password_hash.startswith("$argon2id$")


def test_production_hash_parameters_meet_asvs():
    from app.config import ProductionConfig

    # argon2id with at least 19 MiB and 2 iterations (OWASP password storage guidance).
    assert ProductionConfig.PASSWORD_HASH_MEMORY_COST >= 19 * 1024
    assert ProductionConfig.PASSWORD_HASH_TIME_COST >= 2


def test_sign_up_remembers_where_the_person_was_heading(client, smtp):
    client.post("/sign-up?next=/account", data={"full_name": "Heading Somewhere", "email": "heading@example.org",
                                                 "password": "river lantern meadow", "confirm": "river lantern meadow"})
    link = smtp.link(smtp.last("heading@example.org"), "/confirm-email/")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    confirmed = client.post(path)
    assert confirmed.headers["Location"] == "/sign-in?next=/account"
    signed_in = client.post("/sign-in?next=/account", data={"email": "heading@example.org", "password": "river lantern meadow"})
    assert signed_in.headers["Location"] == "/account"


def test_sign_up_ignores_an_offsite_next(client, smtp):
    client.post("/sign-up?next=https://evil.example.com/", data={
        "full_name": "Careful", "email": "careful@example.org", "password": "river lantern meadow",
        "confirm": "river lantern meadow"})
    link = smtp.link(smtp.last("careful@example.org"), "/confirm-email/")
    confirmed = client.post("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert confirmed.headers["Location"] == "/sign-in"
