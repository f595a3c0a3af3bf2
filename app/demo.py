"""Demo data for development: one account per role."""
from sqlalchemy import select

from app.auth.models import Role, User, UserRole
from app.auth.passwords import hash_password
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db

DEMO_NAMES = {
    Role.APPLICANT: "Alex Applicant",
    Role.VOLUNTEER: "Val Volunteer",
    Role.TRAINER: "Terry Trainer",
    Role.COORDINATOR: "Cora Coordinator",
    Role.MANAGER: "Morgan Manager",
    Role.ADMIN: "Ada Admin",
}


def seed_demo_accounts(password: str, reset_existing: bool) -> tuple[list[str], list[str]]:
    """Create <role>@example.org for each role; idempotent. Returns (created, updated) e-mails."""
    created, updated = [], []
    hashed = hash_password(password)
    areas = list(db.session.scalars(select(Area).order_by(Area.position).limit(3)))
    for role, name in DEMO_NAMES.items():
        email = f"{role.value}@example.org"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, password_hash=hashed, email_verified_at=utcnow())
            user.role_grants.append(UserRole(role=role))
            if role in (Role.VOLUNTEER, Role.COORDINATOR):
                user.areas = areas
            db.session.add(user)
            created.append(email)
        elif reset_existing:
            user.password_hash = hashed
            updated.append(email)
    db.session.flush()
    return created, updated
