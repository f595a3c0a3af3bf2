"""Home, health check, error pages and security headers."""
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from app.auth.models import Role
from app.db_types import utcnow
from app.timefmt import format_datetime
from tests.training.factories import make_session


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_down(client, monkeypatch):
    from app.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_visitor_home_is_a_start_page_with_sign_in_second(client):
    page = client.get("/").get_data(as_text=True)
    assert page.index("Start now") < page.index(">Sign in<"), "the newcomer's action comes first"
    assert 'href="/sign-up?next=/apply"' in page and 'href="/become-a-peer-mentor"' in page


@pytest.mark.parametrize("role,card", [(r, f"home-{r.value}") for r in Role])
def test_home_shows_each_role_its_card(login_as, role, card):
    page = login_as(role.value).get("/").get_data(as_text=True)
    assert f'id="{card}"' in page
    others = [f'id="home-{r.value}"' for r in Role if r != role]
    assert not any(other in page for other in others)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_security_headers_on_every_page(client, login_as):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # The inline script GOV.UK's template needs carries this response's nonce.
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    signed_in = login_as("volunteer").get("/")
    assert signed_in.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(app, client):
    from tests.factories import make_user

    make_user("volunteer", email="cookie@example.org")
    response = client.post("/sign-in", data={"email": "cookie@example.org", "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_max_content_length_is_set(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] > 0
    response = client.post("/sign-in", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413


def test_server_errors_get_the_friendly_page_and_roll_back(app):
    from app import create_app
    from app.permissions import public

    application = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    application.testing = False  # behave as in production: no exception propagation

    @application.route("/boom")
    @public
    def boom():
        raise RuntimeError("something broke")

    response = application.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page and "something broke" not in page


def test_the_trainer_home_lists_their_next_three_sessions_in_one_query(login_as, count_queries):
    """Soonest first, only theirs, only those not yet over, three at most: one query however many they teach."""
    trainer = login_as("trainer")
    now = utcnow().replace(microsecond=0, second=0)
    make_session("taster-day", starts_at=now - timedelta(days=3), trainers=[trainer.user])  # over
    for days in (9, 2, 5, 7, 30):
        make_session("taster-day", starts_at=now + timedelta(days=days), trainers=[trainer.user])
    make_session("taster-day", starts_at=now + timedelta(days=1))  # someone else's
    with count_queries() as few:
        page = trainer.get("/").get_data(as_text=True)
    card = page.split('id="home-trainer"')[1].split("</ul>")[0]
    assert card.count("<li>") == 3
    starts = [now + timedelta(days=d) for d in (2, 5, 7)]
    assert [format_datetime(s) in card for s in starts] == [True, True, True]
    assert card.index(format_datetime(starts[0])) < card.index(format_datetime(starts[1]))
    for days in range(10, 20):
        make_session("taster-day", starts_at=now + timedelta(days=days), trainers=[trainer.user])
    with count_queries() as more:
        trainer.get("/")
    assert len(more) == len(few)
