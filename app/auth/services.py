"""Every account state change, one function each: check, change, audit, queue e-mail, flush."""
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select

from app import audit, throttle
from app.actions import hold, on_duplicate
from app.auth.models import Role, TextSize, User, UserRole
from app.auth.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from app.auth.tokens import make_token, password_fingerprint, read_token
from app.db_types import utcnow
from app.email import send_email
from app.errors import DomainError
from app.extensions import db


class AccountError(DomainError):
    """An account action that is not allowed in the current state."""


on_duplicate("user_roles", "That role was given a moment ago by someone else. Look at the person's roles again.")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register_user(email: str, full_name: str, password: str, next_url: str | None = None) -> User | None:
    """Create an unverified applicant account and e-mail a link; an existing address gets a notice instead."""
    existing = find_user_by_email(email)
    if existing is not None:
        send_email(existing.email, "You already have an account", "auth/already_registered",
                   user=existing, reset_url=url_for("auth.forgot_password", _external=True))
        return None
    user = User(email=email.lower(), full_name=full_name, password_hash=hash_password(password))
    user.role_grants.append(UserRole(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    audit.record(user, "account.created", user)
    send_verification(user, next_url)
    return user


def send_verification(user: User, next_url: str | None = None) -> None:
    """E-mail a link that confirms the address (and remembers where the person was heading)."""
    payload = {"uid": user.id, "email": user.email} | ({"next": next_url} if next_url else {})
    token = make_token("verify", payload)
    send_email(user.email, "Confirm your e-mail address", "auth/verify", user=user,
               url=url_for("auth.verify_email", token=token, _external=True))


def resend_verification(email: str) -> None:
    """Send a fresh confirmation link, if the address belongs to an active account not yet confirmed."""
    user = find_user_by_email(email)
    if user is not None and user.email_verified_at is None and user.is_active:
        send_verification(user)


def user_from_verify_token(token: str) -> tuple[User | None, str | None]:
    """The person a confirmation link belongs to, and the page they were heading for."""
    payload = read_token("verify", token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    if not payload:
        return None, None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        return None, None
    return user, payload.get("next")


def verify_email(user: User) -> None:
    """Mark the address confirmed (a second click changes nothing)."""
    hold(user)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(user, "account.email_verified", user)
    db.session.flush()


@dataclass
class SignInResult:
    user: User | None = None
    problem: str | None = None  # "limited" | "bad" | "unverified" | "deactivated"


def authenticate(email: str, password: str, ip: str) -> SignInResult:
    """Check a sign-in attempt against the limits and the stored hash; never says whether the e-mail exists."""
    cfg = current_app.config
    account_key, ip_key = f"login:account:{email.lower()}", f"login:ip:{ip}"
    if throttle.is_limited(account_key, *cfg["LOGIN_LIMIT_PER_ACCOUNT"]) or throttle.is_limited(ip_key, *cfg["LOGIN_LIMIT_PER_IP"]):
        return SignInResult(problem="limited")
    user = find_user_by_email(email)
    if user is None:
        dummy_verify(password)
    if user is None or not verify_password(user.password_hash, password):
        throttle.hit(account_key)
        throttle.hit(ip_key)
        audit.record(None, "auth.login_failed", user, email=email.lower())
        return SignInResult(problem="bad")
    if not user.is_active:
        return SignInResult(problem="deactivated")
    if user.email_verified_at is None:
        send_verification(user)
        return SignInResult(problem="unverified")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.clear(account_key)
    user.last_login_at = utcnow()
    audit.record(user, "auth.login", user)
    db.session.flush()
    return SignInResult(user=user)


def sign_out(user: User) -> None:
    """End this person's sessions everywhere by rotating their token."""
    user.rotate_session_token()
    audit.record(user, "auth.logout", user)
    db.session.flush()


def request_password_reset(email: str, ip: str) -> bool:
    """E-mail a reset link if the account exists; False when the attempt limit is reached."""
    cfg = current_app.config
    account_key, ip_key = f"reset:account:{email.lower()}", f"reset:ip:{ip}"
    if throttle.is_limited(account_key, *cfg["RESET_LIMIT_PER_ACCOUNT"]) or throttle.is_limited(ip_key, *cfg["RESET_LIMIT_PER_IP"]):
        return False
    throttle.hit(account_key)
    throttle.hit(ip_key)
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        token = make_token("reset", {"uid": user.id, "fp": password_fingerprint(user.password_hash)})
        send_email(user.email, "Reset your password", "auth/reset", user=user,
                   url=url_for("auth.reset_password", token=token, _external=True),
                   minutes=int(cfg["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60))
        audit.record(None, "auth.reset_requested", user)
    db.session.flush()
    return True


def user_from_reset_token(token: str) -> User | None:
    """The person a reset link belongs to, if the link is genuine, in date and not yet used."""
    payload = read_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active or password_fingerprint(user.password_hash) != payload.get("fp"):
        return None
    return user


def set_password(user: User, new_password: str, action: str = "auth.password_changed") -> None:
    """Store a new password and end every session that used the old one."""
    hold(user)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the reset link proved the address
    user.rotate_session_token()
    audit.record(user, action, user)
    send_email(user.email, "Your password has been changed", "auth/password_changed", user=user)
    db.session.flush()


def set_text_size(user: User, size: TextSize) -> None:
    user.text_size = size
    db.session.flush()


def grant_role(user: User, role: Role, by: User) -> None:
    """Give a person a role (audited); granting one they hold already is refused."""
    if role in user.roles:
        raise AccountError(f"{user.display_name} is already a {role.value}.")
    user.role_grants.append(UserRole(role=role, granted_by_id=by.id))
    audit.record(by, "role.granted", user, role=role.value)
    db.session.flush()


def remove_role(user: User, role: Role, by: User) -> None:
    """Take a role away (audited). Takes effect at once: roles are read on every request."""
    grant = next((g for g in user.role_grants if g.role == role), None)
    if grant is None:
        raise AccountError(f"{user.display_name} is not a {role.value}.")
    if role == Role.ADMIN and user.id == by.id:
        raise AccountError("You cannot remove your own admin role. Ask another admin.")
    user.role_grants.remove(grant)
    audit.record(by, "role.removed", user, role=role.value)
    db.session.flush()


def deactivate_user(user: User, by: User, reason: str) -> None:
    """Stop a person signing in and end their sessions (audited)."""
    hold(user)
    if not user.is_active:
        raise AccountError(f"{user.display_name}'s account is already deactivated.")
    if user.id == by.id:
        raise AccountError("You cannot deactivate your own account.")
    user.deactivated_at = utcnow()
    user.rotate_session_token()
    audit.record(by, "account.deactivated", user, reason=reason)
    db.session.flush()


def reactivate_user(user: User, by: User) -> None:
    """Let a deactivated person sign in again (audited)."""
    hold(user)
    if user.is_active:
        raise AccountError(f"{user.display_name}'s account is already active.")
    user.deactivated_at = None
    audit.record(by, "account.reactivated", user)
    db.session.flush()
