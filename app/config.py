"""Configuration from the environment, with safe development defaults."""
import os
from datetime import timedelta
from pathlib import Path

from app.urls import check_portal_url, portal_hosts

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-key-not-for-production"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs (Heroku-style and libpq-style)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Defaults shared by every environment. Environment variables override them (see settings_from_env)."""

    ENV_NAME = "development"
    SECRET_KEY = DEV_SECRET
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'portal.db'}"
    # hide_parameters: a database error is logged without its values (password hashes, session tokens, names).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SCHEME_NAME = "Community Peer Mentors"
    SCHEME_AREA = "County Durham and Darlington"
    SCHEME_CONTACT_EMAIL = "peer.mentors@example.org"
    # The data controller and its data protection officer, named in the privacy notice.
    DATA_CONTROLLER = "The Office of the Police, Crime and Victims' Commissioner for County Durham and Darlington"
    DPO_CONTACT = "dpo@example.org"
    SCHEME_CONTACT_PHONE = "0191 000 0000"
    PORTAL_URL = "http://127.0.0.1:5000"  # the public address: every full link starts with it; other hosts get 400
    LOCAL_HOSTS = ["localhost", "127.0.0.1"]  # also accepted as Host outside production

    # Mail. With no MAIL_SERVER set, messages are written to instance/outbox/ for a developer to read.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Community Peer Mentors <no-reply@example.org>"
    MAIL_OUTBOX_DIR = str(BASE_DIR / "instance" / "outbox")
    MAIL_DEBUG = False  # Flask-Mail would otherwise print every message, body and links, under debug

    # Sessions and security (OWASP ASVS level 2).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "cpm_session"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session, which has its own timeouts
    PREFERRED_URL_SCHEME = "http"
    TRUSTED_PROXIES = 0

    # Argon2id parameters (argon2-cffi defaults: 64 MiB, 3 passes). Weaker stored hashes are redone at sign-in.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_HASH_PARALLELISM = 4
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128

    # Token lifetimes.
    EMAIL_VERIFY_MAX_AGE = timedelta(days=3)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    # Attempt limits (app/throttle.py; the README's "Attempt limits"). None locks an account: failures count
    # per account AND client address, so a stranger's guesses slow only the stranger. A (n, window) limit
    # allows n counted attempts per window. Windows are at most a day (`maintenance purge-throttle`).
    LOGIN_FREE_FAILURES = 5                     # failed sign-ins to one account from one address before waits
    LOGIN_FIRST_DELAY = timedelta(seconds=30)   # then a wait before each further attempt from there, doubling
    LOGIN_LONGEST_DELAY = timedelta(minutes=15)  # up to this
    LOGIN_FAILURES_KEPT = timedelta(hours=24)   # the count for one account from one address starts again after
    LOGIN_LIMIT_PER_SOURCE = (100, timedelta(hours=1))  # failed sign-ins from one address, to any accounts
    SIGNUP_LIMIT_PER_SOURCE = (30, timedelta(hours=1))  # sign-up forms from one address (429 beyond)
    RESEND_LIMIT_PER_SOURCE = (30, timedelta(hours=1))  # "send the link again" from one address (429 beyond)
    RESET_LIMIT_PER_SOURCE = (30, timedelta(hours=1))   # password-reset requests from one address (429 beyond)
    ACCOUNT_MAIL_LIMIT_PER_ADDRESS = (5, timedelta(hours=1))  # account e-mails to one address; beyond, none sent
    # Certificate codes are a keyed hash of each certificate's nonce: keep this key for as long as certificates
    # live (unset: SECRET_KEY is used, so rotating SECRET_KEY then changes the code a re-downloaded PDF prints).
    CERTIFICATE_KEY = None
    CERTIFICATE_VERIFY_LIMIT_PER_IP = (20, timedelta(minutes=10))

    POLICY_DIR = str(BASE_DIR / "policy")
    COURSES_DIR = str(BASE_DIR / "courses")
    # Uploaded receipts: outside static/, served only through the portal to the claimant and approvers.
    RECEIPTS_DIR = str(BASE_DIR / "instance" / "receipts")


# Environment variable -> (config key, parser). Documented in the README's configuration table.
ENVIRONMENT = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "CERTIFICATE_KEY": ("CERTIFICATE_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", normalise_database_url),
    "PORTAL_URL": ("PORTAL_URL", str),
    "SCHEME_NAME": ("SCHEME_NAME", str),
    "SCHEME_AREA": ("SCHEME_AREA", str),
    "SCHEME_CONTACT_EMAIL": ("SCHEME_CONTACT_EMAIL", str),
    "DATA_CONTROLLER": ("DATA_CONTROLLER", str),
    "DPO_CONTACT": ("DPO_CONTACT", str),
    "SCHEME_CONTACT_PHONE": ("SCHEME_CONTACT_PHONE", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", lambda v: parse_bool(v)),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", lambda v: parse_bool(v)),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "MAIL_OUTBOX_DIR": ("MAIL_OUTBOX_DIR", str),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: parse_bool(v)),
    "SESSION_IDLE_MINUTES": ("SESSION_IDLE_TIMEOUT", lambda v: timedelta(minutes=int(v))),
    "SESSION_ABSOLUTE_HOURS": ("SESSION_ABSOLUTE_TIMEOUT", lambda v: timedelta(hours=int(v))),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "PREFERRED_URL_SCHEME": ("PREFERRED_URL_SCHEME", str),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "POLICY_DIR": ("POLICY_DIR", str),
    "COURSES_DIR": ("COURSES_DIR", str),
    "RECEIPTS_DIR": ("RECEIPTS_DIR", str),
}


def parse_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_from_env(environ=None) -> dict:
    """The settings given by environment variables, parsed."""
    environ = os.environ if environ is None else environ
    settings = {}
    for var, (key, parse) in ENVIRONMENT.items():
        if environ.get(var):
            settings[key] = parse(environ[var])
    if "SESSION_ABSOLUTE_TIMEOUT" in settings:
        settings["PERMANENT_SESSION_LIFETIME"] = settings["SESSION_ABSOLUTE_TIMEOUT"]
    return settings


class DevelopmentConfig(Config):
    """Local development: mail to instance/outbox/."""

    ENV_NAME = "development"


class TestConfig(Config):
    """The test suite: ignores the environment; real SMTP on loopback; cheap hashes (rehashed at sign-in)."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1
    MAIL_SERVER = "127.0.0.1"
    MAIL_SUPPRESS_SEND = False


class ProductionConfig(Config):
    """Production: refuses to start without a real secret key, a PostgreSQL URL and the public https address."""

    ENV_NAME = "production"
    PORTAL_URL = ""
    LOCAL_HOSTS = []
    SESSION_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for the whole site (Path=/)
    # and for this host only (no Domain), so a neighbouring subdomain cannot set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    PREFERRED_URL_SCHEME = "https"

    @staticmethod
    def check(settings) -> None:
        secret = settings.get("SECRET_KEY", "")
        if not secret or secret == DEV_SECRET or len(secret) < 32:
            raise RuntimeError("Production needs SECRET_KEY set to a random value of at least 32 characters.")
        if settings.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
            raise RuntimeError("Production needs DATABASE_URL set to a PostgreSQL database.")
        if not settings.get("PORTAL_URL", "").startswith("https://"):
            raise RuntimeError("Production needs PORTAL_URL set to the portal's public https:// address, "
                               "such as https://volunteers.example.org: every e-mailed link starts with it.")
        if settings.get("SESSION_COOKIE_NAME", "").startswith("__Host-") and not settings.get("SESSION_COOKIE_SECURE"):
            raise RuntimeError("Production's __Host- session cookie needs SESSION_COOKIE_SECURE on: "
                               "browsers refuse it over plain HTTP.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def engine_options(uri: str, options: dict) -> dict:
    """PostgreSQL connections run without JIT compilation. The portal's statements are index lookups and bounded
    pages, for which compiling costs more than it saves; and the planner's row estimates for the dashboard's
    aggregates (joins of grouped subqueries) are far too high, so with JIT on it compiled them, which at 50,000
    people took some 8 of the 10 seconds the pipeline query ran. A server-wide `jit` setting is not needed."""
    if not uri.startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = " ".join(filter(None, [connect_args.get("options", ""), "-c jit=off"]))
    return {**options, "connect_args": connect_args}


def load_config(app, name: str | None, overrides: dict) -> None:
    """Apply defaults for the environment, then environment variables (not in tests), then overrides."""
    name = name or os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown APP_ENV {name!r}: use one of {', '.join(CONFIGS)}.")
    app.config.from_object(CONFIGS[name])
    if name != "testing":
        app.config.update(settings_from_env())
    app.config.update(overrides)
    if name == "production":
        ProductionConfig.check(app.config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    check_portal_url(app.config["PORTAL_URL"])
    if "TRUSTED_HOSTS" not in overrides:  # requests for any other Host are refused with 400
        app.config["TRUSTED_HOSTS"] = portal_hosts(app.config["PORTAL_URL"]) + app.config["LOCAL_HOSTS"]
