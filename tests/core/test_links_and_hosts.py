"""Every full link is built from PORTAL_URL, and requests for any other host are refused."""
from datetime import date, timedelta

import pytest
from flask import url_for

from app import create_app
from app.applications.rules import Status
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.support.mail import URL_RE
from tests.training.factories import make_session, make_volunteer
from tests.vetting.factories import make_dbs

PORTAL = "https://volunteers.example.org"

# Other connections (triggers lifted, threads, servers, cron) must see these rows: they commit for real.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def portal(app, monkeypatch):
    """The app as if deployed at PORTAL (TRUSTED_HOSTS follows PORTAL_URL, as create_app sets it)."""
    monkeypatch.setitem(app.config, "PORTAL_URL", PORTAL)
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["volunteers.example.org", "localhost"])
    return PORTAL


@pytest.fixture
def proxied_app(app):
    """The app as deployed behind one proxy (TRUSTED_PROXIES=1), on the test database."""
    return create_app("testing", **{key: app.config[key] for key in (
        "SQLALCHEMY_DATABASE_URI", "MAIL_PORT", "MIGRATIONS_DIR", "MAIL_OUTBOX_DIR", "WTF_CSRF_ENABLED")},
        TRUSTED_PROXIES=1)


def test_a_reset_request_for_a_forged_host_is_refused_and_sends_nothing(client, smtp):
    make_user("volunteer", email="target@example.org")
    response = client.post("/password/forgot", data={"email": "target@example.org"}, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "only answers at its own address" in response.text
    assert smtp.to("target@example.org") == []


def test_a_forged_forwarded_host_behind_the_proxy_is_refused(proxied_app, smtp):
    make_user("volunteer", email="target@example.org")
    client = proxied_app.test_client()
    response = client.post("/password/forgot", data={"email": "target@example.org"},
                           headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 400
    assert smtp.to("target@example.org") == []
    response = client.post("/password/forgot", data={"email": "target@example.org"},
                           headers={"X-Forwarded-Host": "127.0.0.1:5000", "X-Forwarded-Proto": "https"})
    assert response.status_code == 200  # "check your e-mail"
    assert smtp.link(smtp.last("target@example.org"), "/password/reset/").startswith("http://127.0.0.1:5000/")


def test_production_accepts_only_the_portal_host(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/none")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("PORTAL_URL", "https://volunteers.example.org")
    application = create_app("production")
    assert application.config["TRUSTED_HOSTS"] == ["volunteers.example.org"]
    assert application.test_client().get("/", headers={"Host": "localhost"}).status_code == 400


def test_full_links_in_a_request_use_portal_url_not_the_host(app, portal):
    with app.test_request_context("/", base_url="http://localhost:8080"):
        assert url_for("auth.login", _external=True) == PORTAL + "/sign-in"
        assert url_for("auth.login") == "/sign-in"  # links inside pages stay relative
    with app.app_context():  # outside a request (cron)
        assert url_for("auth.login") == PORTAL + "/sign-in"


def _all_links(message) -> list[str]:
    """Every http(s) link in every text part of a message, calendar attachments included."""
    links = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            links += URL_RE.findall(part.get_payload(decode=True).decode().replace("\r\n ", ""))
    return links


def test_every_link_in_every_email_starts_with_portal_url(app, portal, client, login_as, smtp):
    sign_up = {"full_name": "New Person", "email": "new@example.org", "password": "river lantern meadow",
               "confirm": "river lantern meadow"}
    client.post("/sign-up", data=sign_up)
    client.post("/sign-up", data=sign_up)  # "you already have an account", with a reset link
    client.post("/password/forgot", data={"email": "new@example.org"})
    application = make_application(status=Status.IN_REVIEW)
    login_as("coordinator", areas=["Durham"]).post(f"/applications/{application.id}/references")
    session = make_session()
    login_as(make_volunteer()).post(f"/training/sessions/{session.id}/book")
    volunteer = make_user("volunteer", areas=["Durham"])
    make_dbs(volunteer, issued_on=date(2024, 3, 1))
    result = app.test_cli_runner().invoke(args=["vetting", "remind", "--today",
                                                (date(2027, 3, 1) - timedelta(days=90)).isoformat()])
    assert result.exit_code == 0, result.output

    links = [link for message in smtp.messages for link in _all_links(message)]
    assert [link for link in links if not link.startswith(PORTAL + "/")] == []
    for path in ("/confirm-email/", "/password/forgot", "/password/reset/", "/reference/", "/training/sessions/",
                 "/vetting/mine"):
        assert any(link.startswith(PORTAL + path) for link in links), f"no e-mail linked to {path}"
