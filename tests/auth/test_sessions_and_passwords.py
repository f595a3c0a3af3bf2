"""Sessions that really end, password reset links, password change, and roles read on every request."""
import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from app.auth.models import Role
from app.auth.services import deactivate_user, remove_role
from app.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user


def signed_in(client, email):
    response = client.post("/sign-in", data={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def session_cookie(client):
    return client.get_cookie("cpm_session").value


def test_session_id_changes_at_sign_in(app, client):
    make_user("volunteer", email="fixation@example.org")
    client.post("/text-size", data={"size": "large"})  # an anonymous session exists first
    before = session_cookie(client)
    signed_in(client, "fixation@example.org")
    with client.session_transaction() as sess:
        assert sess["sid"] and sess["_user_id"]
    assert session_cookie(client) != before


def test_sign_out_really_ends_the_session(app, client):
    """Replaying the cookie from before sign-out does not get back in."""
    make_user("volunteer", email="leaver@example.org")
    signed_in(client, "leaver@example.org")
    stolen = session_cookie(client)
    client.post("/sign-out")
    replay = app.test_client()
    replay.set_cookie("cpm_session", stolen)
    response = replay.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_password_change_signs_out_other_devices_but_not_this_one(app, client, smtp):
    make_user("volunteer", email="changer@example.org")
    phone = signed_in(app.test_client(), "changer@example.org")
    signed_in(client, "changer@example.org")
    response = client.post("/account/password", data={
        "current": DEFAULT_PASSWORD, "password": "new meadow lantern", "confirm": "new meadow lantern"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert smtp.last("changer@example.org")["Subject"] == "Your password has been changed"


def test_password_change_needs_the_current_password(login_as):
    client = login_as("volunteer")
    response = client.post("/account/password", data={
        "current": "not it", "password": "new meadow lantern", "confirm": "new meadow lantern"})
    assert "Your current password is not right" in response.get_data(as_text=True)


def test_deactivation_ends_sessions_at_once(app, login_as):
    admin = make_user("admin")
    client = login_as("volunteer")
    assert client.get("/account").status_code == 200
    deactivate_user(client.user, admin, "left the scheme")
    db.session.commit()
    assert client.get("/account").status_code == 302
    response = app.test_client().post("/sign-in", data={"email": client.user.email, "password": DEFAULT_PASSWORD})
    assert "Enter a correct e-mail address and password" in response.get_data(as_text=True)


def test_removing_a_role_takes_effect_on_the_next_request(login_as):
    admin = make_user("admin")
    client = login_as("manager")
    assert client.get("/audit").status_code == 200
    remove_role(client.user, Role.MANAGER, admin)
    db.session.commit()
    assert client.get("/audit").status_code == 403


@pytest.mark.parametrize("elapsed,still_in", [(timedelta(minutes=29), True), (timedelta(minutes=31), False)])
def test_idle_timeout(app, client, elapsed, still_in):
    make_user("volunteer", email="idle@example.org")
    with freeze_time("2026-11-21 09:00:00") as frozen:
        signed_in(client, "idle@example.org")
        frozen.tick(elapsed)
        response = client.get("/account")
    assert (response.status_code == 200) is still_in


def test_absolute_timeout_even_when_active(app, client):
    make_user("volunteer", email="busy@example.org")
    with freeze_time("2026-11-21 07:00:00") as frozen:
        signed_in(client, "busy@example.org")
        for _ in range(26):  # active every 29 minutes for 12.5 hours
            frozen.tick(timedelta(minutes=29))
            response = client.get("/account")
    assert response.status_code == 302


def reset_link(client, smtp, email):
    client.post("/password/forgot", data={"email": email})
    link = smtp.link(smtp.last(email), "/password/reset/")
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_password_reset_link_works_once(client, smtp):
    make_user("volunteer", email="forgetful@example.org")
    path = reset_link(client, smtp, "forgetful@example.org")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "brand new words", "confirm": "brand new words"})
    assert response.status_code == 302
    assert client.get(path).status_code == 400  # used
    response = client.post("/sign-in", data={"email": "forgetful@example.org", "password": "brand new words"})
    assert response.status_code == 302


def test_password_reset_link_expires_after_an_hour(client, smtp):
    make_user("volunteer", email="slow@example.org")
    with freeze_time("2026-11-21 09:00:00") as frozen:
        path = reset_link(client, smtp, "slow@example.org")
        frozen.tick(timedelta(minutes=61))
        response = client.get(path)
    assert response.status_code == 400
    assert "expired or has already been used" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["forged", "eyJ1aWQiOjF9.abc.def", "x" * 500, "%00"])
def test_forged_tokens_never_500(client, token):
    for prefix in ("/password/reset/", "/confirm-email/"):
        assert client.get(prefix + token).status_code in (400, 404)
        assert client.post(prefix + token, data={"password": "a b c d e f"}).status_code in (400, 404)


def test_reset_request_does_not_reveal_whether_an_account_exists(client, smtp):
    make_user("volunteer", email="exists@example.org")
    known = client.post("/password/forgot", data={"email": "exists@example.org"}).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "ghost@example.org"}).get_data(as_text=True)
    def normalise(page, email):
        return re.sub(r'nonce="[^"]+"|value="[^"]{20,}"', "", page.replace(email, "X"))

    assert normalise(known, "exists@example.org") == normalise(unknown, "ghost@example.org")
    # Each address gets one e-mail, so the time taken is the same too; only a real account's has a link.
    (ghost,) = smtp.to("ghost@example.org")
    assert ghost["Subject"] == "You do not have an account with us"
    assert "/password/reset/" not in smtp.body(ghost)
    assert smtp.last("exists@example.org")["Subject"] == "Reset your password"


def test_reset_e_mails_are_limited_per_address_without_saying_so(app, client, smtp):
    make_user("volunteer", email="spammed@example.org")
    limit, _ = app.config["ACCOUNT_MAIL_LIMIT_PER_ADDRESS"]
    pages = [client.post("/password/forgot", data={"email": "spammed@example.org"}) for _ in range(limit + 2)]
    assert {p.status_code for p in pages} == {200}
    assert len({re.sub(r'nonce="[^"]+"', "", p.get_data(as_text=True)) for p in pages}) == 1  # over: same page
    assert len(smtp.to("spammed@example.org")) == limit


def test_text_size_is_remembered_for_the_person(app, login_as):
    client = login_as("volunteer")
    client.post("/text-size", data={"size": "largest", "next": "/account"})
    db.session.refresh(client.user)
    assert client.user.text_size.value == "largest"
    again = login_as(client.user)  # a new device
    assert 'class="govuk-template cpm-text-largest"' in again.get("/").get_data(as_text=True)


def test_text_size_refuses_nonsense(client):
    assert client.post("/text-size", data={"size": "gigantic"}).status_code == 400
