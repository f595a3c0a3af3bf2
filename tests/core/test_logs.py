"""No token, password hash or e-mail body ever reaches a log: access logs, SQL logs, error logs."""
import logging
import runpy
import threading
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from types import SimpleNamespace
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from flask import url_for
from gunicorn.config import Config as GunicornConfig
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.serving import make_server

from app.applications.models import Application
from app.applications.rules import Status
from app.auth.models import User
from app.extensions import db
from app.logs import REDACTED, redact
from app.training.services import feed_for
from tests.applications.factories import make_application
from tests.factories import DEFAULT_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq8sEcReT-tOkEn_value.42"

# Other connections (triggers lifted, threads, servers, cron) must see these rows: they commit for real.
pytestmark = pytest.mark.real_commits


def test_every_route_with_a_token_is_redacted(app):
    with app.test_request_context():
        rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
        assert len(rules) >= 4
        for rule in rules:
            path = url_for(rule.endpoint, token=TOKEN)
            for text in (f'"GET {path} HTTP/1.1" 200', f"https://x.example{path}?a=1", "/sign-in?next=" + quote(path, safe="")):
                assert TOKEN not in redact(text), f"{rule.rule} is not redacted in logs (add it to app/logs.py)"
    assert redact("/training/sessions/12 /reference") == "/training/sessions/12 /reference"  # nothing else changes


def _gunicorn(tmp_path) -> tuple[object, Path, Path]:
    """gunicorn's logger, configured by the project's gunicorn.conf.py, writing to files."""
    cfg = GunicornConfig()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    cfg.set("accesslog", str(access))
    cfg.set("errorlog", str(errors))
    cfg.set("access_log_format", cfg.access_log_format + ' "%({referer}i)s"')
    return cfg.logger_class(cfg), access, errors


def test_gunicorn_access_and_error_logs_redact_tokens_in_paths_and_referers(tmp_path):
    logger, access, errors = _gunicorn(tmp_path)
    path = f"/password/reset/{TOKEN}"
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": f"https://volunteers.example.org/reference/{TOKEN}", "HTTP_USER_AGENT": "test"}
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="302 FOUND", sent=0, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    logger.error("Error handling request %s", path)
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()
    written = access.read_text() + errors.read_text()
    assert "POST /password/reset/" + REDACTED in written and "/reference/" + REDACTED in written
    assert TOKEN not in written


def test_database_errors_are_logged_without_their_parameters(app, caplog):
    existing = make_user("volunteer", email="twice@example.org")
    db.session.add(User(email="twice@example.org", full_name="Second Person", password_hash="argon2-HASH-VALUE"))
    with pytest.raises(IntegrityError) as raised:
        db.session.flush()
    db.session.rollback()
    app.logger.error("Could not save", exc_info=raised.value)
    assert "parameters hidden" in str(raised.value)
    assert "argon2-HASH-VALUE" not in caplog.text and "Second Person" not in caplog.text
    assert existing.password_hash not in caplog.text


class Browser:
    """An HTTP client with its own cookies, talking to the real development server."""

    def __init__(self, base: str):
        self.base, self.opener = base, build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> int:
        return self._open(path, None)

    def post(self, path: str, **data) -> int:
        return self._open(path, urlencode(data).encode())

    def _open(self, path, body) -> int:
        try:
            with self.opener.open(self.base + path, body, timeout=10) as response:
                return response.status
        except HTTPError as error:
            return error.code


@pytest.fixture
def dev_server(app):
    """The app served by Werkzeug's development server, as `flask run` does (its access log included)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_whole_journey_logs_no_token_hash_or_mail_body(app, dev_server, smtp, caplog):
    for name in ("", "werkzeug", "sqlalchemy.engine", "sqlalchemy.pool", "app"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    password = "river lantern meadow"
    person = Browser(dev_server)
    assert person.post("/sign-up", full_name="Logan Private", email="logan@example.org", password=password,
                       confirm=password) == 200
    confirm = smtp.link(smtp.last("logan@example.org"), "/confirm-email/")
    assert person.get(_path(confirm)) == 200 and person.post(_path(confirm)) == 200
    assert person.post("/password/forgot", email="logan@example.org") == 200
    reset = smtp.link(smtp.last("logan@example.org"), "/password/reset/")
    new_password = "kettle harbour viaduct"
    assert person.get(_path(reset)) == 200
    assert person.post(_path(reset), password=new_password, confirm=new_password) == 200
    assert person.post("/sign-in", email="logan@example.org", password=new_password) == 200

    volunteer = make_user("volunteer")
    feed = feed_for(volunteer).token
    db.session.commit()
    assert Browser(dev_server).get(f"/training/calendar/{feed}.ics") == 200
    application = make_application(status=Status.IN_REVIEW)
    coordinator = make_user("coordinator", areas=["Durham"])
    staff = Browser(dev_server)
    assert staff.post("/sign-in", email=coordinator.email, password=DEFAULT_PASSWORD) == 200
    assert staff.post(f"/applications/{application.id}/references") == 200
    referee_link = smtp.link(smtp.last(application.referees[0].email), "/reference/")
    assert Browser(dev_server).get(_path(referee_link)) == 200

    db.session.expire_all()
    users = db.session.scalars(select(User)).all()
    assert db.session.scalar(select(Application.status)) == Status.REFERENCES_REQUESTED
    secrets = {
        "confirmation token": confirm.rsplit("/", 1)[1], "reset token": reset.rsplit("/", 1)[1],
        "feed token": feed, "reference token": referee_link.rsplit("/", 1)[1],
        "password": password, "new password": new_password, "phone number": "07700900982",
        **{f"password hash of {u.email}": u.password_hash for u in users},
        **{f"session token of {u.email}": u.session_token for u in users},
    }
    for n, message in enumerate(smtp.messages):
        lines = [line.strip() for line in smtp.body(message).splitlines() if len(line.strip()) >= 20]
        secrets |= {f"line of e-mail {n} ({message['Subject']})": line for line in lines}

    # The test SMTP server (aiosmtpd, logger "mail.log") logs what it receives: it is not the portal.
    records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    logged = "\n".join(logging.Formatter().format(r) for r in records)
    assert "/password/reset/" + REDACTED in logged and "/training/calendar/" + REDACTED in logged  # logs were caught
    assert "SELECT users.id" in logged  # SQL was logged, with its parameters hidden
    leaks = [what for what, secret in secrets.items() if secret in logged]
    assert leaks == [], f"found in the logs: {leaks}"
