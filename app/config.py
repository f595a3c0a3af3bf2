"""Configuration from the environment, with safe development defaults."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-key-not-for-production"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs (Heroku-style and libpq-style)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment; each can be overridden by an environment variable."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portal.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SCHEME_NAME = os.environ.get("SCHEME_NAME", "Community Peer Mentors")
    SCHEME_AREA = os.environ.get("SCHEME_AREA", "County Durham and Darlington")
    SCHEME_CONTACT_EMAIL = os.environ.get("SCHEME_CONTACT_EMAIL", "peer.mentors@example.org")
    SCHEME_CONTACT_PHONE = os.environ.get("SCHEME_CONTACT_PHONE", "0191 000 0000")
    SERVER_TIMEZONE = "Europe/London"

    # Mail. With no MAIL_SERVER set, messages are written to instance/outbox/ for a developer to read.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Community Peer Mentors <no-reply@example.org>")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(BASE_DIR / "instance" / "outbox"))

    # Sessions and security (OWASP ASVS level 2).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    SESSION_COOKIE_NAME = "cpm_session"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(10 * 1024 * 1024)))
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session, which has its own timeouts
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # Argon2id parameters (argon2-cffi defaults meet ASVS 2.4). Hashes weaker than these are redone at login.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_HASH_PARALLELISM = 4
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128

    # Token lifetimes and attempt limits.
    EMAIL_VERIFY_MAX_AGE = timedelta(days=3)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    LOGIN_LIMIT_PER_ACCOUNT = (5, timedelta(minutes=15))
    LOGIN_LIMIT_PER_IP = (30, timedelta(minutes=15))
    RESET_LIMIT_PER_ACCOUNT = (3, timedelta(hours=1))
    RESET_LIMIT_PER_IP = (20, timedelta(hours=1))
    SIGNUP_LIMIT_PER_IP = (20, timedelta(hours=1))

    PAGE_SIZE = 25
    POLICY_DIR = os.environ.get("POLICY_DIR", str(BASE_DIR / "policy"))
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class DevelopmentConfig(Config):
    """Local development: debug-friendly, mail to instance/outbox/."""

    ENV_NAME = "development"


class TestConfig(Config):
    """The test suite: real SMTP on loopback, cheap hashes (rehashed to full strength at login)."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1
    MAIL_SERVER = "127.0.0.1"
    MAIL_DEFAULT_SENDER = "Community Peer Mentors <no-reply@example.org>"
    SERVER_NAME = None


class ProductionConfig(Config):
    """Production: refuses to start without a real secret key and a real mail server."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == DEV_SECRET or len(secret) < 32:
            raise RuntimeError("Production needs SECRET_KEY set to a random value of at least 32 characters.")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("Production needs DATABASE_URL (PostgreSQL).")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def select_config(name: str | None):
    """Pick the config class by name, or from APP_ENV, defaulting to development."""
    name = name or os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown APP_ENV {name!r}: use one of {', '.join(CONFIGS)}.")
    config = CONFIGS[name]
    if name == "production":
        config.check()
    return config
