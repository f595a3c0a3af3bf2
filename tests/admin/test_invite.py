"""An admin invites staff by e-mail with their roles and areas; the link sets a password once and expires."""
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from app.audit import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from tests.factories import area_named, make_user

NEW_PASSWORD = "lantern meadow quietly"


def _invite(client, **overrides):
    data = {"full_name": "Cara Coordinator", "email": "cara@example.org", "roles": ["coordinator"],
            "areas": [area_named("Durham").id]} | overrides
    return client.post("/admin/people/invite", data=data)


def test_an_invited_coordinator_sets_a_password_and_signs_in_with_roles_and_areas(login_as, client, smtp):
    admin = make_user(Role.ADMIN)
    response = _invite(login_as(admin))
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "cara@example.org"))
    assert person.roles == {Role.COORDINATOR} and [a.name for a in person.areas] == ["Durham"]
    assert person.email_verified_at is None  # nobody can sign in to it until the link is used
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.invited"))
    assert event.actor_id == admin.id and event.subject_id == person.id and event.details["roles"] == ["coordinator"]
    link = next(url for url in smtp.links(smtp.last("cara@example.org")) if "/admin/invitation/" in url)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert "Choose a password" in client.get(f"/{path}").text
    assert client.post(f"/{path}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    signed_in = client.post("/sign-in", data={"email": "cara@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert client.get("/applications").status_code == 200
    assert client.get(f"/{path}").status_code == 400, "the link works once"


def test_an_invitation_link_expires_after_a_week(login_as, client, smtp):
    _invite(login_as(make_user(Role.ADMIN)), email="late@example.org")
    link = next(url for url in smtp.links(smtp.last("late@example.org")) if "/admin/invitation/" in url)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    with freeze_time(timedelta(days=8)):
        response = client.get(path)
    assert response.status_code == 400 and "expired" in response.text


def test_an_admin_cannot_invite_themself_or_an_existing_account(login_as):
    admin = make_user(Role.ADMIN, email="boss@example.org")
    existing = make_user(Role.VOLUNTEER, email="vol@example.org")
    client = login_as(admin)
    page = _invite(client, email="boss@example.org", roles=["manager"]).text
    assert "You cannot invite yourself" in page
    assert Role.MANAGER not in db.session.get(User, admin.id).roles
    assert "already has an account" in _invite(client, email="vol@example.org").text
    assert db.session.get(User, existing.id).roles == {Role.VOLUNTEER}


def test_the_invite_form_says_what_is_missing(login_as):
    page = login_as(make_user(Role.ADMIN)).post("/admin/people/invite", data={}).text
    for message in ("Enter their full name", "Enter their e-mail address", "Choose at least one role"):
        assert message in page
