"""Logs without secrets: the tokens in e-mailed links and calendar feeds never reach a log file.

A confirmation, password-reset, reference or feed link is the key to what it opens, and access logs keep
every path (and every Referer) for months. Each logger that can see a path is given RedactSecrets; gunicorn's
access log uses GunicornLogger (set in gunicorn.conf.py). SQL parameters are hidden by the engine option
hide_parameters (app/config.py), and fetched rows are dropped from SQLAlchemy's debug output.
"""
import logging
import re

from gunicorn.glogging import Logger

# The paths whose last part is a secret. tests/core/test_logs.py checks every route with a <token> is here.
SECRET_PATHS = ("confirm-email", "password/reset", "reference", "training/calendar", "certificates/shared",
                "certificates/verify", "admin/invitation")
SLASH = r"(?:/|%2F)"  # a path may also appear URL-encoded, as in ?next=%2Freference%2F...
_SECRET = re.compile(
    "(" + SLASH + "(?:" + "|".join(p.replace("/", SLASH) for p in SECRET_PATHS) + ")" + SLASH + r")[^/?&#\s\"'<>%]+",
    re.IGNORECASE,
)
REDACTED = "[redacted]"

# Loggers that may be handed a request path: the development server's access log, Flask's
# "Exception on /path" message, and gunicorn's error log.
PATH_LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")


def redact(text: str) -> str:
    """`text` with the token in every secret link replaced by [redacted]."""
    return _SECRET.sub(r"\1" + REDACTED, text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secret links in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class DropResultRows(logging.Filter):
    """SQLAlchemy at DEBUG prints every row it fetches (password hashes, session tokens): never keep those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


class GunicornLogger(Logger):
    """gunicorn's logger, with secret links redacted from every access-log field (path, query, Referer)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        _add_filter(self.error_log, RedactSecrets)

    def atoms(self, resp, req, environ, request_time) -> dict:
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


def _add_filter(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):  # create_app runs many times in the tests
        logger.addFilter(kind())


def init_logging(app) -> None:
    """Redact secret links from the app's and the servers' logs; keep fetched rows out of SQL debug logs."""
    for logger in (app.logger, *map(logging.getLogger, PATH_LOGGERS)):
        _add_filter(logger, RedactSecrets)
    _add_filter(logging.getLogger("sqlalchemy.engine.Engine"), DropResultRows)
