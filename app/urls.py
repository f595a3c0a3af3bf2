"""URL helpers: the one rule for full links (they start with PORTAL_URL, never with the request's Host),
the bounded id converter, safe redirects."""
import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.routing import IntegerConverter
from werkzeug.wsgi import get_host

from app.templating import PortalEnvironment

# Every id column is an INTEGER: 32-bit signed on PostgreSQL (SQLite's 64 bits hold more), so this is the
# largest id either database can be asked about without an overflow error.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """The app's <int:...>: ASCII digits for a whole number from 0 to MAX_ID; anything else is 404, not 500."""

    regex = r"[0-9]{1,12}"  # never hand int() a megabyte of digits

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, signed=signed,
                         max=MAX_ID if max is None else builtins.min(max, MAX_ID))


class PortalFlask(Flask):
    """Flask whose full links (e-mails, calendar files, feed addresses) are built from PORTAL_URL.

    A Host or X-Forwarded-Host header is chosen by whoever sends the request, so a password-reset link built
    from it could point at someone else's site. Relative links inside pages are unchanged.
    """

    jinja_environment = PortalEnvironment  # cheaper macro imports (app/templating.py)

    def wsgi_app(self, environ, start_response):
        """Refuse a request for any host but TRUSTED_HOSTS (after ProxyFix has applied X-Forwarded-Host)."""
        try:
            get_host(environ, self.config["TRUSTED_HOSTS"])
        except SecurityError:
            self.logger.warning("Refused a request for host %r", environ.get("HTTP_HOST", "")[:100])
            refusal = BadRequest("This portal only answers at its own address.")
            return refusal(environ, start_response)
        return super().wsgi_app(environ, start_response)

    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        if not has_request_context() or not (_external or _scheme):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        return portal_link(path[len(request.script_root):], scheme=_scheme)

    def create_url_adapter(self, request):
        """Outside a request (scheduled commands), build links as if on PORTAL_URL."""
        if request is not None:
            return super().create_url_adapter(request)
        portal = urlsplit(self.config["PORTAL_URL"])
        return self.url_map.bind(portal.netloc, script_name=portal.path or "/", url_scheme=portal.scheme)


def portal_link(path: str, scheme: str | None = None) -> str:
    """PORTAL_URL followed by `path` (a path inside the portal, starting with /)."""
    portal = urlsplit(current_app.config["PORTAL_URL"])
    return f"{scheme or portal.scheme}://{portal.netloc}{portal.path.rstrip('/')}{path}"


def check_portal_url(url: str) -> None:
    """Refuse a PORTAL_URL that is not a plain http(s) address: every e-mailed link starts with it."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(f"PORTAL_URL must be the portal's public address, such as https://portal.example.org "
                           f"(it is {url!r}).")


def portal_hosts(url: str) -> list[str]:
    """The host names requests may arrive with: PORTAL_URL's (for TRUSTED_HOSTS)."""
    return [urlsplit(url).hostname]


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
    """Somewhere pages and e-mails can be rendered outside a request (cron): a request for PORTAL_URL."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=current_app.config["PORTAL_URL"]):
        yield


def external_url(endpoint: str, **values) -> str:
    """A full URL to a page of the portal (PORTAL_URL and the page's path), in a request or outside one."""
    with portal_url_context():
        return url_for(endpoint, _external=True, **values)
