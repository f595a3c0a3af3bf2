"""Admin state changes: a person's roles and areas, and the list of areas."""
from sqlalchemy import select

from app import audit
from app.actions import hold
from app.auth.models import Role, User
from app.auth.services import AccountError, grant_role, remove_role
from app.core.models import Area
from app.extensions import db


def set_roles(user: User, wanted: set[Role], by: User) -> tuple[set[Role], set[Role]]:
    """Grant and remove roles so the person holds exactly `wanted`; returns (granted, removed).

    Nobody changes their own roles, in either direction: another admin has to (and the others hear of every
    grant of manager or admin)."""
    hold(user)
    current = set(user.roles)
    granted, removed = wanted - current, current - wanted
    if user.id == by.id and (granted or removed):
        raise AccountError("You cannot change your own roles. Ask another admin.")
    for role in sorted(removed):
        remove_role(user, role, by)
    for role in sorted(granted):
        grant_role(user, role, by)
    return granted, removed


def set_areas(user: User, area_ids: list[int], by: User) -> None:
    """Set the areas a person works in (audited)."""
    hold(user)
    areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids)))) if area_ids else []
    before = sorted(a.name for a in user.areas)
    user.areas = areas
    audit.record(by, "areas.changed", user, before=before, after=sorted(a.name for a in areas))
    db.session.flush()


def save_area(area: Area | None, name: str, places: str, active: bool, by: User) -> Area:
    """Add an area, or change one (areas are never deleted: records point at them)."""
    if area is None:
        position = (db.session.scalar(select(db.func.max(Area.position))) or 0) + 1
        area = Area(position=position)
        db.session.add(area)
    area.name, area.places, area.active = name, places, active
    db.session.flush()
    audit.record(by, "area.saved", None, area, name=name, active=active)
    return area
