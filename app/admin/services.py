"""Admin state changes: a person's roles and areas, the list of areas, and invitations."""
import secrets
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select

from app import audit
from app.actions import hold
from app.auth.models import Role, User, UserRole
from app.auth.passwords import hash_password
from app.auth.services import AccountError, grant_role, remove_role
from app.auth.tokens import make_token, password_fingerprint, read_token
from app.core.models import Area
from app.email import send_email
from app.extensions import db
from app.urls import portal_url_context


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


# ---------------------------------------------------------------- invitations

INVITE_LIFETIME = timedelta(days=7)


def invite_person(email: str, full_name: str, roles: set[Role], area_ids: list[int], by: User) -> User:
    """Make an account for someone an admin invites, with roles and areas, and e-mail them a link to set a password.

    The account cannot be signed in to until they choose a password through the link (it works once, for
    INVITE_LIFETIME). An admin cannot invite themselves: their own roles change only through another admin.
    """
    email = email.strip().lower()
    if email == by.email.lower():
        raise AccountError("You cannot invite yourself. Ask another admin to change your roles.")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"{email} already has an account. Open it from the list of people to change their roles.")
    person = new_invited_account(email, full_name.strip(), roles, by)
    person.areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids)))) if area_ids else []
    db.session.add(person)
    db.session.flush()
    audit.record(by, "account.invited", person, roles=sorted(r.value for r in roles),
                 areas=sorted(a.name for a in person.areas))
    send_invitation(person, by, roles=sorted(r.label for r in roles))
    return person


def send_invitation(person: User, by: User, template: str = "admin/invitation", subject: str | None = None,
                    **context) -> None:
    """E-mail `person` the link that lets them choose a password (once, for INVITE_LIFETIME): the one invitation
    mechanism, for staff an admin invites and for newcomers a trainer adds to a register. `template` words it."""
    token = make_token("invite", {"uid": person.id, "fp": password_fingerprint(person.password_hash)})
    with portal_url_context():
        send_email(person.email, subject or f"You are invited to the {current_app.config['SCHEME_NAME']} portal",
                   template, user=person, invited_by=by, days=INVITE_LIFETIME.days,
                   url=url_for("admin.accept_invitation", token=token, _external=True), **context)


def new_invited_account(email: str, full_name: str, roles: set[Role], by: User) -> User:
    """An account nobody can sign in to until its owner chooses a password through an invitation link."""
    person = User(email=email, full_name=full_name, password_hash=hash_password(secrets.token_urlsafe(32)))
    person.role_grants = [UserRole(role=role, granted_by_id=by.id) for role in sorted(roles)]
    return person


def user_from_invitation(token: str) -> User | None:
    """The invited person, if the link is genuine, in date and not used yet (choosing a password uses it up)."""
    payload = read_token("invite", token, INVITE_LIFETIME)
    if not payload:
        return None
    person = db.session.get(User, payload.get("uid"))
    if person is None or not person.is_active or password_fingerprint(person.password_hash) != payload.get("fp"):
        return None
    return person
