"""The one place coarse access is declared. Every view carries exactly one of these decorators.

A single before_request hook enforces the declaration, and refuses any endpoint without one,
so a new route that forgets to declare its users fails closed (and fails the matrix test).
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.auth.models import Role


@dataclass(frozen=True)
class Access:
    """Who may use a view: everyone, anyone signed in, or holders of any of these roles."""

    kind: str  # "public" | "signed_in" | "roles"
    roles: frozenset[Role] = frozenset()

    def allows(self, user) -> bool:
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        return self.kind == "signed_in" or user.has_role(*self.roles)


def _declare(access: Access) -> Callable:
    def decorator(view):
        if hasattr(view, "access"):
            raise RuntimeError(f"{view.__name__} declares its access twice")
        view.access = access
        return view

    return decorator


public = _declare(Access("public"))
signed_in = _declare(Access("signed_in"))


def roles_required(*roles: Role) -> Callable:
    """Allow only people holding at least one of these roles."""
    if not roles:
        raise ValueError("roles_required needs at least one role")
    return _declare(Access("roles", frozenset(roles)))


def access_for(endpoint: str) -> Access | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_access():
    """before_request: anonymous visitors go to sign in; others without the role get 403."""
    if request.endpoint is None:
        return None  # unmatched URL: Flask answers 404 or 405
    access = access_for(request.endpoint)
    if access is None:
        current_app.logger.error("Endpoint %s declares no access rule; refusing", request.endpoint)
        abort(403)
    if access.allows(current_user):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)
