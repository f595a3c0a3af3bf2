"""Fixtures every domain's tests reuse.

- `app`: the app under test (CSRF off for the plain test client), on a database built by `flask db upgrade`:
  SQLite by default, PostgreSQL when TEST_DATABASE_URL is set. Each test starts from empty tables
  (plus the areas from policy/areas.toml).
- `db` (autouse): each test runs inside one database transaction that is rolled back afterwards. The app's
  own commit() and rollback() become SAVEPOINTs inside it, and e-mail still goes on commit. A test whose rows
  must be seen by another connection (threads, a second app instance standing in for another process, the
  live server, raw SQL through db.engine) is marked `@pytest.mark.real_commits` (or `pytestmark =
  pytest.mark.real_commits` for a whole module): it commits for real and every table is emptied afterwards.
  A rolled-back test that leaves committed rows behind fails, asking for the mark.
- Everything under tests/browser is marked `browser` and `real_commits` by pytest_collection_modifyitems
  below; browser test files need no marks of their own.
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
from flask import current_app
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import make_server

from app import create_app
from app import email as app_email
from app.audit import GENESIS
from app.config import normalise_database_url
from app.core.services import sync_areas
from app.extensions import db as _db
from tests.factories import make_user
from tests.support.mail import SMTPServer

ROOT = Path(__file__).resolve().parent.parent
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marks
def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is a browser test, and commits for real: marked here, once."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.real_commits)  # the live server is another thread, on its own connections


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
        RECEIPTS_DIR=str(tmp_dir / "receipts"),
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
    _seed(application)
    return application


@pytest.fixture(scope="session")
def live_app(app, database_url, smtp_server, tmp_path_factory):
    """A second instance of the app, on the same database, served to the browser with CSRF on."""
    return _make_app(database_url, smtp_server, tmp_path_factory.mktemp("live"))


def _empty_database(application) -> None:
    """Empty every table, then put back the areas every test starts with."""
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
        _seed(application)


_BASELINE: dict[str, int] = {}  # rows per table that every test starts with


def _seed(application) -> None:
    """What every test starts with: the areas from policy/areas.toml, committed."""
    with application.app_context():
        sync_areas(ROOT / "policy" / "areas.toml")
        _db.session.commit()
        _db.session.remove()
        with _db.engine.connect() as conn:
            _BASELINE.update(_row_counts(conn))


def _row_counts(conn) -> dict[str, int]:
    """Rows in every table, in one statement."""
    tables = [t.name for t in _db.metadata.sorted_tables]
    counts = conn.execute(text("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables))).one()
    return dict(zip(tables, counts, strict=True))


class _JoinedSession(FlaskSQLAlchemySession):
    """db.session in a rolled-back test: every query goes through the test's one connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@contextmanager
def _rolled_back(application):
    """Run the test inside one transaction on one connection, rolled back at the end.

    db.session joins that transaction with SAVEPOINTs: the app's commit() releases one (and the after-commit
    e-mails go), its rollback() rolls back to one. Only `application`'s sessions join; another app instance
    in the same test keeps its own connections and cannot see the uncommitted rows (so such tests need
    real_commits)."""
    engine = _db.engine
    connection = engine.connect()
    driver = connection.connection.driver_connection
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # pysqlite begins transactions itself, lazily, and not for SAVEPOINT: take over, and BEGIN explicitly.
        saved_isolation = driver.isolation_level
        driver.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    joined = sessionmaker(class_=_JoinedSession, db=_db, query_cls=_db.Query, bind=connection,
                          join_transaction_mode="create_savepoint")
    plain_registry = _db.session
    plain_factory = plain_registry.session_factory

    def session_factory():
        return joined() if current_app._get_current_object() is application else plain_factory()

    _db.session = scoped_session(session_factory, scopefunc=plain_registry.registry.scopefunc)

    @contextmanager
    def inside_the_test():  # the outbox's own short transactions become savepoints of the test's one
        with connection.begin_nested():
            yield connection

    plain_own_transaction, app_email.own_transaction = app_email.own_transaction, inside_the_test
    try:
        yield
    finally:
        app_email.own_transaction = plain_own_transaction
        _db.session.remove()
        _db.session = plain_registry
        outer.rollback()
        if sqlite:
            driver.isolation_level = saved_isolation
        changed = {t: n for t, n in _row_counts(connection).items() if n != _BASELINE[t]}
        connection.close()
        if changed:  # something committed outside the test's transaction: clean up, and say so
            _empty_database(application)
            pytest.fail(f"rows were committed outside the test's transaction (rows now per table: {changed}); "
                        "if the test needs that, mark it real_commits", pytrace=False)


@pytest.fixture(autouse=True)
def db(request, app, smtp_server):
    """A clean database and inbox for every test, with the app context pushed.

    Normally the test runs in a transaction that is rolled back afterwards (see _rolled_back). A test marked
    real_commits commits for real and every table is emptied afterwards."""
    smtp_server.inbox.clear()
    if request.node.get_closest_marker("real_commits"):
        try:
            with app.app_context():
                yield _db
                _db.session.remove()
        finally:
            _empty_database(app)
    else:
        with app.app_context(), _rolled_back(app):
            yield _db


@pytest.fixture
def smtp(smtp_server):
    """The inbox of the real SMTP server the app sends through."""
    return smtp_server.inbox


@pytest.fixture
def smtp_down(smtp_server):
    """The mail server is stopped; call the returned function to start it again (done at the end anyway)."""
    smtp_server.stop()
    running = []

    def start_again():
        smtp_server.start()
        running.append(True)

    yield start_again
    if not running:
        smtp_server.start()


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
            # Transaction bookkeeping is not counted: a rolled-back test's commit() and rollback() are SAVEPOINTs.
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK TO")):
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
