"""Demo data, areas, configuration and the development outbox."""
import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.models import Role, User
from app.config import DEV_SECRET, normalise_database_url
from app.core.models import Area
from app.extensions import db


def test_seed_demo_creates_one_account_per_role_and_is_idempotent(app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo words here")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    users = db.session.scalars(select(User).where(User.email.like("%@example.org"))).all()
    assert {u.email for u in users} == {f"{r.value}@example.org" for r in Role}
    assert all(u.roles == {Role(u.email.split("@")[0])} for u in users)
    response = app.test_client().post("/sign-in", data={"email": "trainer@example.org", "password": "demo words here"})
    assert response.status_code == 302


def test_seed_demo_generates_and_prints_a_password_when_none_is_given(app, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    password = result.output.split("Demo password for new accounts: ")[1].strip()
    assert len(password) >= 12
    response = app.test_client().post("/sign-in", data={"email": "admin@example.org", "password": password})
    assert response.status_code == 302
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "passwords unchanged" in again.output


def test_seed_demo_refuses_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "refuses to run under the production config" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("secret", [None, "", DEV_SECRET, "short"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, secret):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/none")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.fixture
def production_env(monkeypatch):
    """The environment a production deployment sets."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/none")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("PORTAL_URL", "https://volunteers.example.org")
    return monkeypatch


def test_production_starts_with_a_real_secret_and_secure_cookies(production_env):
    application = create_app("production")
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


@pytest.mark.parametrize("url", [None, "", "http://volunteers.example.org", "volunteers.example.org"])
def test_production_refuses_to_start_without_an_https_portal_url(production_env, url):
    if url is None:
        production_env.delenv("PORTAL_URL")
    else:
        production_env.setenv("PORTAL_URL", url)
    with pytest.raises(RuntimeError, match="PORTAL_URL"):
        create_app("production")


def test_production_session_cookie_has_the_host_prefix(production_env):
    """__Host-: Secure, Path=/ and no Domain, so no other host or subdomain can set or overwrite it."""
    from flask import session

    application = create_app("production")
    with application.test_request_context("/", base_url="https://volunteers.example.org"):
        session["text_size"] = "large"
        response = application.response_class()
        application.session_interface.save_session(application, session, response)
    name_value, *attributes = response.headers["Set-Cookie"].split("; ")
    assert name_value.startswith("__Host-session=")
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} <= set(attributes)
    assert not any(a.lower().startswith("domain") for a in attributes)


def test_production_refuses_a_host_prefixed_cookie_without_secure(production_env):
    production_env.setenv("SESSION_COOKIE_SECURE", "0")
    with pytest.raises(RuntimeError, match="SESSION_COOKIE_SECURE"):
        create_app("production")


@pytest.mark.parametrize("name", ["development", "testing", "production"])
def test_every_config_hides_sql_parameters_from_logs(production_env, name):
    from app.config import CONFIGS

    assert CONFIGS[name].SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True
    assert create_app(name).config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


def test_database_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_areas_sync_is_idempotent_and_loads_the_fifteen_areas(app):
    runner = app.test_cli_runner()
    assert "0 added" in runner.invoke(args=["areas", "sync"]).output
    names = set(db.session.scalars(select(Area.name)))
    assert len(names) == 15 and {"Darlington", "Teesdale", "East Durham Rural Corridor"} <= names


@pytest.mark.real_commits  # a second app instance: its own connection commits for real
def test_development_mail_goes_to_the_outbox_folder(tmp_path, database_url):
    from app.email import send_email

    application = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, MAIL_SERVER="",
                             MAIL_OUTBOX_DIR=str(tmp_path))
    with application.test_request_context():
        send_email("someone@example.org", "Hello", "auth/password_changed", user=User(full_name="Sam"))
        db.session.commit()
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1 and b"Hello Sam" in files[0].read_bytes()


def test_mail_is_not_sent_when_the_transaction_rolls_back(app, smtp):
    from app.email import send_email

    with app.test_request_context():
        send_email("nobody@example.org", "Never", "auth/password_changed", user=User(full_name="N"))
        db.session.rollback()
        db.session.commit()
    assert smtp.to("nobody@example.org") == []


def test_a_mail_outage_does_not_undo_a_committed_decision(app, monkeypatch, caplog):
    import flask_mail

    from app.email import send_email

    def down(connection):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(flask_mail.Connection, "configure_host", down)
    with app.test_request_context():
        db.session.add(Area(name="Committed anyway", places="", position=99))
        send_email("x@example.org", "Hi", "auth/password_changed", user=User(full_name="X"))
        db.session.commit()
    assert db.session.scalar(select(Area).where(Area.name == "Committed anyway")) is not None
    assert "Could not send e-mail" in caplog.text


def test_commands_render_emails_with_links_to_the_public_address(app, monkeypatch, smtp):
    from flask import url_for

    from app.email import send_email
    from app.urls import portal_url_context

    monkeypatch.setitem(app.config, "PORTAL_URL", "https://portal.example.org")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["portal.example.org"])  # create_app derives it from PORTAL_URL
    with portal_url_context():
        url = url_for("auth.login", _external=True)
        send_email("cron@example.org", "Reminder", "auth/verify", user=User(full_name="C"), url=url)
        db.session.commit()
    assert "https://portal.example.org/sign-in" in smtp.body(smtp.last("cron@example.org"))


def test_date_inputs_link_errors_to_the_day_box(app):
    from app.admin.forms import AuditFilterForm

    with app.test_request_context("/audit?date_from=31&date_from=2&date_from=2026"):
        from flask import request

        form = AuditFilterForm(request.args)
        form.validate()
        html = str(form.date_from())
    assert 'id="date_from"' in html and 'id="date_from-date"' in html
    assert html.count('id="date_from"') == 1
