"""The Community Peer Mentor volunteer portal: application factory."""
from datetime import timedelta

from flask import Flask, g, has_request_context, session
from flask_login import current_user
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config
from app.extensions import csrf, db, login_manager, migrate
from app.logs import init_logging
from app.urls import BoundedIntConverter, PortalFlask


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app: config, logging, extensions, blueprints, commands, error handlers."""
    app = PortalFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route: every <int:...> id is bounded
    load_config(app, config_name, overrides)
    init_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    from app.core.views import register_error_handlers

    register_error_handlers(app)
    return app


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader,
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from app import timefmt
    from app.tables import stacked
    from app.templating import govuk_attributes, govuk_summary_list, govuk_table

    app.jinja_env.filters["date"] = timefmt.format_date
    app.jinja_env.filters["datetime"] = timefmt.format_datetime
    app.jinja_env.filters["time"] = timefmt.format_time
    app.jinja_env.globals["stacked"] = stacked
    app.jinja_env.globals["govuk_attributes"] = govuk_attributes
    app.jinja_env.globals["govuk_table"] = govuk_table
    app.jinja_env.globals["govuk_summary_list"] = govuk_summary_list
    # An expiry date is the first day something is no longer good; people are told the last day it is.
    app.jinja_env.filters["last_good_day"] = lambda d: d - timedelta(days=1) if d else d


def register_extensions(app: Flask) -> None:
    from app.auth.views import init_login
    from app.email import init_mail
    from app.permissions import enforce_access
    from app.security import check_session_timeouts

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR", "migrations")))
    login_manager.init_app(app)
    init_login(login_manager)
    # Order matters: time out stale sessions, then check access, then CSRF,
    # so an anonymous POST is sent to sign in rather than told its form expired.
    app.before_request(reset_request_state)
    app.before_request(check_session_timeouts)
    app.before_request(enforce_access)
    csrf.init_app(app)
    init_mail(app)
    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)


def reset_request_state() -> None:
    """Start each request with no cached user or nonce, even when an app context is shared (as in tests)."""
    g.pop("_login_user", None)
    g.pop("csp_nonce", None)
    g.pop("kept_formdata", None)


def register_blueprints(app: Flask) -> None:
    from app.admin.views import audit_bp
    from app.admin.views import bp as admin_bp
    from app.applications.views import bp as applications_bp
    from app.auth.views import bp as auth_bp
    from app.certificates.views import bp as certificates_bp
    from app.core.views import bp as core_bp
    from app.expenses.views import bp as expenses_bp
    from app.people.views import bp as people_bp
    from app.permissions import public
    from app.privacy.views import bp as privacy_bp
    from app.readiness.views import bp as readiness_bp
    from app.reports.views import bp as reports_bp
    from app.training.views import bp as training_bp
    from app.vetting.views import bp as vetting_bp

    for blueprint in (core_bp, auth_bp, admin_bp, audit_bp, applications_bp, vetting_bp, training_bp, expenses_bp,
                      certificates_bp, readiness_bp, people_bp, reports_bp, privacy_bp):
        app.register_blueprint(blueprint)
    static_view = app.view_functions["static"]

    def static(filename):
        return static_view(filename=filename)

    app.view_functions["static"] = public(static)


def register_hooks(app: Flask) -> None:
    from app.navigation import nav_items
    from app.security import csp_nonce, idle_ends_at, set_security_headers

    app.add_template_global(nav_items)
    app.add_template_global(govuk_link)

    app.after_request(set_security_headers)

    @app.context_processor
    def inject_layout():
        if not has_request_context():  # e-mails rendered by scheduled commands
            return {"config": app.config}
        size = current_user.text_size.value if current_user.is_authenticated else session.get("text_size", "normal")
        return {"csp_nonce": csp_nonce, "text_size": size, "config": app.config, "idle_ends_at": idle_ends_at}


def govuk_link(href: str, text: str, classes: str = "") -> Markup:
    """A GOV.UK link for table cells and summary values, with the text escaped."""
    return Markup('<a class="govuk-link {}" href="{}">{}</a>').format(classes, href, text)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


# Pages SQLite keeps in memory per connection, in KiB (its default is 2 MiB). The lists' counts at 50,000 people read
# some 20 MiB of index pages; with 2 MiB each count read them all again from the operating system (the manager's
# volunteers count: 58 ms of CPU, 40 ms with 32 MiB). Memory is taken only as pages are read.
SQLITE_CACHE_KIB = 32 * 1024


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, write-ahead log, wait for locks rather than fail, a larger page cache."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()
