"""URL helpers."""
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


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
