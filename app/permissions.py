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


# ---------------------------------------------------------------- need to know: which people a member of staff may see


def area_scope(staff) -> list[int] | None:
    """The area ids whose people this member of staff may see: None for managers (everyone), else the areas
    a coordinator covers (none covered: nobody)."""
    if staff.has_role(Role.MANAGER):
        return None
    return [a.id for a in staff.areas] if staff.has_role(Role.COORDINATOR) else []


def person_in_scope(staff, person) -> bool:
    """May this member of staff see this person's records (vetting, application, training)?"""
    scope = area_scope(staff)
    return scope is None or any(a.id in scope for a in person.areas)


def people_in_scope(staff):
    """The SQL condition on User for the people this member of staff may see (for list pages)."""
    return people_in_area_scope(area_scope(staff))


def people_in_area_scope(scope):
    """`people_in_scope` for an `area_scope` already worked out (None: everyone; a list or tuple of area ids)."""
    from sqlalchemy import true

    from app.auth.models import User

    if scope is None:
        return true()
    return User.id.in_(people_in_areas(list(scope)))


def people_in_areas(area_ids: list[int]):
    """The ids of the people working in any of these areas, as a subquery. `User.id IN (this)` lets the database
    start from the areas' people (the index on user_areas.area_id) instead of testing every user in turn, as
    `User.areas.any(...)` made SQLite do (a coordinator's list at 50,000 people: 170 ms a query, then 30)."""
    from sqlalchemy import select

    from app.core.models import user_areas

    return select(user_areas.c.user_id).where(user_areas.c.area_id.in_(area_ids or [-1]))
