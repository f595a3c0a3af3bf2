"""Fixtures every domain's tests reuse.

- `app`: the app under test (CSRF off for the plain test client), on a database built by `flask db upgrade`:
  SQLite by default, PostgreSQL when TEST_DATABASE_URL is set. Each test starts from empty tables
  (plus the areas from policy/areas.toml).
- `client`, `login_as(role_or_user)`: test clients, anonymous or signed in.
- `smtp`: the inbox of a real SMTP server on a loopback port that the app sends through.
- `count_queries`: a context manager counting SQL statements.
- `live_server`, `page`, `phone_page`, `assert_accessible`: Playwright driving Debian's Chromium, headless,
  against the app served on a loopback port (with CSRF on), and axe-core checks.
"""
import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text
from werkzeug.serving import make_server

from app import create_app
from app.audit import GENESIS
from app.config import normalise_database_url
from app.core.services import sync_areas
from app.extensions import db as _db
from tests.factories import make_user
from tests.support.mail import SMTPServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


def _make_app(database_url, smtp_server, tmp_dir, **overrides):
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_PORT=smtp_server.port,
        MIGRATIONS_DIR=str(ROOT / "migrations"),
        MAIL_OUTBOX_DIR=str(tmp_dir / "outbox"),
        **overrides,
    )


@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory):
    """The app for test-client tests, with the schema `flask db upgrade` builds."""
    application = _make_app(database_url, smtp_server, tmp_path_factory.mktemp("app"), WTF_CSRF_ENABLED=False)
    with application.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        _db.engine.dispose()
    return application


@pytest.fixture(scope="session")
def live_app(app, database_url, smtp_server, tmp_path_factory):
    """A second instance of the app, on the same database, served to the browser with CSRF on."""
    return _make_app(database_url, smtp_server, tmp_path_factory.mktemp("live"))


def _empty_database(application) -> None:
    with application.app_context():
        engine = _db.engine
        # audit_chain keeps its one row, back at the start of an empty chain.
        tables = [t.name for t in _db.metadata.sorted_tables if t.name != "audit_chain"]
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # The audit log refuses TRUNCATE: lift that trigger for the clean-up (this transaction only).
                conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate"))
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate"))
            else:
                # The append-only triggers refuse deletes: lift them for the clean-up, then restore them.
                triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
                for name, _ in triggers:
                    conn.execute(text(f"DROP TRIGGER {name}"))
                for table in reversed(tables):
                    conn.execute(text(f"DELETE FROM {table}"))
                for _, sql in triggers:
                    conn.execute(text(sql))
            conn.execute(text("UPDATE audit_chain SET last_hash = :genesis"), {"genesis": GENESIS})


@pytest.fixture(autouse=True)
def db(app, smtp_server):
    """A clean database and inbox for every test, with the app context pushed."""
    with app.app_context():
        sync_areas(ROOT / "policy" / "areas.toml")
        _db.session.commit()
        smtp_server.inbox.clear()
        yield _db
        _db.session.remove()
    _empty_database(app)


@pytest.fixture
def smtp(smtp_server):
    """The inbox of the real SMTP server the app sends through."""
    return smtp_server.inbox


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in_client(application, user):
    """A test client whose session is signed in as `user`, as if they had used the sign-in page."""
    test_client = application.test_client()
    now = datetime.now(UTC).timestamp()
    with test_client.session_transaction() as sess:
        sess["_user_id"] = user.session_token
        sess["_fresh"] = True
        sess["login_at"] = sess["seen_at"] = now
        sess["sid"] = "test"
    return test_client


@pytest.fixture
def login_as(app):
    """login_as("coordinator") or login_as(user): a signed-in test client (user on .user)."""

    def _login(who, **user_kwargs):
        user = make_user(who, **user_kwargs) if isinstance(who, str) else who
        test_client = sign_in_client(app, user)
        test_client.user = user
        return test_client

    return _login


@pytest.fixture
def count_queries(app):
    """with count_queries() as q: ...; then len(q) is the number of SQL statements run."""

    @contextmanager
    def _count():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return _count


# ---------------------------------------------------------------- browser

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app served on a loopback port in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["PORTAL_URL"] = url  # e-mailed links lead back to this server
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                      headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, live_server, **context_args):
    context = browser.new_context(base_url=live_server, **context_args)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized browser tab on the live app."""
    context, tab = _new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized browser tab (375 x 740, touch) on the live app."""
    context, tab = _new_page(browser, live_server, viewport={"width": 375, "height": 740},
                             is_mobile=True, has_touch=True, device_scale_factor=2)
    yield tab
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open more tabs, each in its own browser context (a second person): new_page(phone=True)."""
    contexts = []

    def _open(phone: bool = False):
        args = ({"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
                if phone else {"viewport": {"width": 1280, "height": 900}})
        context, tab = _new_page(browser, live_server, **args)
        contexts.append(context)
        return tab

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def assert_accessible():
    """assert_accessible(page): axe-core finds no serious or critical violations on the page as shown."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _check(tab, label: str = ""):
        tab.wait_for_load_state("load")  # never check a page that is still arriving
        results = axe.run(tab)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        summary = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        assert not bad, f"axe found serious problems on {label or tab.url}:\n{summary}"
        return results

    return _check


def browser_sign_in(tab, email: str, password: str):
    """Sign in through the real sign-in page."""
    tab.goto("/sign-in")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()
