"""URL helpers: the bounded id converter, safe redirects, links built outside a request."""
import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter

# Every id column is an INTEGER: 32-bit signed on PostgreSQL (SQLite's 64 bits hold more), so this is the
# largest id either database can be asked about without an overflow error.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """The app's <int:...>: ASCII digits for a whole number from 0 to MAX_ID; anything else is 404, not 500."""

    regex = r"[0-9]{1,12}"  # never hand int() a megabyte of digits

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, signed=signed,
                         max=MAX_ID if max is None else builtins.min(max, MAX_ID))


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in, or None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@contextmanager
def portal_url_context() -> Iterator[None]:
    """Somewhere full links can be built: the current request, or outside one (cron) the portal's PORTAL_URL."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=current_app.config["PORTAL_URL"]):
        yield


def external_url(endpoint: str, **values) -> str:
    """A full URL to a page of the portal, in a request or outside one."""
    with portal_url_context():
        return url_for(endpoint, _external=True, **values)
