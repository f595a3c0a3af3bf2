"""Factories that return a made, committed object."""
import itertools
from functools import lru_cache

from sqlalchemy import select

from app.auth.models import Role, User, UserRole
from app.auth.passwords import hash_password
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db

DEFAULT_PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@lru_cache(maxsize=16)
def _hash(password: str) -> str:
    return hash_password(password)


def make_user(*roles: Role | str, email: str | None = None, name: str | None = None,
              password: str = DEFAULT_PASSWORD, verified: bool = True, areas=(), commit: bool = True) -> User:
    """A person holding `roles`, with a confirmed e-mail unless verified=False."""
    n = next(_seq)
    first_role = Role(roles[0]).value if roles else "person"
    user = User(
        email=(email or f"{first_role}{n}@example.org").lower(),
        full_name=name or f"{first_role.capitalize()} Person{n}",
        password_hash=_hash(password),
        email_verified_at=utcnow() if verified else None,
    )
    for role in roles:
        user.role_grants.append(UserRole(role=Role(role)))
    if areas:
        user.areas = [area_named(a) if isinstance(a, str) else a for a in areas]
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def area_named(name: str) -> Area:
    area = db.session.scalar(select(Area).where(Area.name == name))
    if area is None:
        raise LookupError(f"no area {name!r}")
    return area
