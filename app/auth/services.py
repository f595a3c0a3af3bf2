"""Every account state change, one function each: check, change, audit, queue e-mail, flush."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select

from app import audit, throttle
from app.actions import hold, on_duplicate
from app.auth.models import Role, TextSize, User, UserRole
from app.auth.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from app.auth.rules import sign_in_delay
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


def register_user(email: str, full_name: str, password: str, source: str, next_url: str | None = None) -> bool:
    """Create an unverified applicant account and e-mail a link; an existing address gets a notice instead.

    Both answers do the same work (a password hash, one e-mail), so the time taken says nothing about the
    address. False when `source` has sent too many sign-ups (then nothing is done)."""
    if not throttle.claim("signup", "", source, *current_app.config["SIGNUP_LIMIT_PER_SOURCE"]).allowed:
        return False
    email = email.strip().lower()
    password_hash = hash_password(password)  # on both paths: it is most of the time a new account takes
    existing = find_user_by_email(email)
    may_mail = may_send_account_email(email)
    if existing is not None:
        if may_mail:
            send_email(existing.email, "You already have an account", "auth/already_registered",
                       user=existing, reset_url=url_for("auth.forgot_password", _external=True))
        return True
    user = User(email=email, full_name=full_name, password_hash=password_hash)
    user.role_grants.append(UserRole(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    audit.record(user, "account.created", user)
    if may_mail:
        send_verification(user, next_url)
    return True


def may_send_account_email(email: str) -> bool:
    """Count one account e-mail (confirmation, reset, notice) to `email`; False once it has had its share."""
    return throttle.claim("mail", email.strip().lower(), "", *current_app.config["ACCOUNT_MAIL_LIMIT_PER_ADDRESS"]).allowed


def send_verification(user: User, next_url: str | None = None) -> None:
    """E-mail a link that confirms the address (and remembers where the person was heading)."""
    payload = {"uid": user.id, "email": user.email} | ({"next": next_url} if next_url else {})
    token = make_token("verify", payload)
    send_email(user.email, "Confirm your e-mail address", "auth/verify", user=user,
               url=url_for("auth.verify_email", token=token, _external=True))


def send_no_account(email: str) -> None:
    """Tell an address with no active account that someone asked for a link for it (and how to apply)."""
    send_email(email, "You do not have an account with us", "auth/no_account",
               signup_url=url_for("auth.register", _external=True))


def resend_verification(email: str, source: str) -> bool:
    """E-mail a fresh confirmation link, or say why there is none; False when `source` has asked too often.

    Every address gets one e-mail (within its share), whether or not it has an account."""
    if not throttle.claim("resend", "", source, *current_app.config["RESEND_LIMIT_PER_SOURCE"]).allowed:
        return False
    email = email.strip().lower()
    user = find_user_by_email(email)
    if not may_send_account_email(email):
        return True
    if user is None or not user.is_active:
        send_no_account(email)
    elif user.email_verified_at is None:
        send_verification(user)
    else:
        send_email(user.email, "Your e-mail address is already confirmed", "auth/already_confirmed", user=user,
                   sign_in_url=url_for("auth.login", _external=True),
                   reset_url=url_for("auth.forgot_password", _external=True))
    return True


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
    problem: str | None = None  # "bad" | "wait" | "source_limited" | "unverified" | "deactivated"
    retry_after: timedelta | None = None


def authenticate(email: str, password: str, source: str) -> SignInResult:
    """Check a sign-in attempt; never says whether the e-mail exists.

    The attempt is counted before the password is checked: first against `source` (any account), then against
    this account from `source`, where failures past the free ones make the next attempt wait, longer each time.
    A stranger's failures come from the stranger's address, so the owner can still sign in from theirs."""
    cfg = current_app.config
    email = email.strip().lower()
    from_source = throttle.claim("login-source", "", source, *cfg["LOGIN_LIMIT_PER_SOURCE"])
    if not from_source.allowed:
        return SignInResult(problem="source_limited", retry_after=from_source.retry_after)
    attempt = throttle.claim("login", email, source, None, cfg["LOGIN_FAILURES_KEPT"])
    if not attempt.allowed:
        return SignInResult(problem="wait", retry_after=attempt.retry_after)
    user = find_user_by_email(email)
    if user is None:
        dummy_verify(password)
    if user is None or not verify_password(user.password_hash, password):
        throttle.hold_off("login", email, source, sign_in_delay(
            attempt.count, cfg["LOGIN_FREE_FAILURES"], cfg["LOGIN_FIRST_DELAY"], cfg["LOGIN_LONGEST_DELAY"]))
        audit.record(None, "auth.login_failed", user, email=email)
        return SignInResult(problem="bad")
    if not user.is_active:
        return SignInResult(problem="deactivated")
    throttle.clear("login", email, source)
    throttle.forgive("login-source", "", source)
    if user.email_verified_at is None:
        if may_send_account_email(email):
            send_verification(user)
        return SignInResult(problem="unverified")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(user, "auth.login", user)
    db.session.flush()
    return SignInResult(user=user)


def sign_out(user: User) -> None:
    """End this person's sessions everywhere by rotating their token."""
    user.rotate_session_token()
    audit.record(user, "auth.logout", user)
    db.session.flush()


def request_password_reset(email: str, source: str) -> bool:
    """E-mail a reset link, or tell an address with no active account so; False when `source` asked too often.

    Both answers do the same work (one e-mail, within the address's share), so neither the page nor the time
    taken says whether the account exists."""
    cfg = current_app.config
    if not throttle.claim("reset", "", source, *cfg["RESET_LIMIT_PER_SOURCE"]).allowed:
        return False
    email = email.strip().lower()
    user = find_user_by_email(email)
    if not may_send_account_email(email):
        return True
    if user is None or not user.is_active:
        send_no_account(email)
        return True
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
    """Store a new password, end every session that used the old one, and forget failed sign-ins."""
    throttle.clear("login", user.email)  # before the hold: sign-in takes these rows, then the user's
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
    if role in WATCHED_ROLES:
        tell_other_admins(user, role, by)
    db.session.flush()


WATCHED_ROLES = frozenset({Role.MANAGER, Role.ADMIN})  # every grant is e-mailed to the other admins


def tell_other_admins(user: User, role: Role, by: User) -> None:
    """E-mail every active admin but `by` and `user` that `by` gave `user` a role that sees everything."""
    admins = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.ADMIN, User.deactivated_at.is_(None), User.id.not_in({by.id, user.id})).order_by(User.id))
    for admin in admins:
        send_email(admin.email, f"{user.display_name} is now a {role.value}", "admin/role_granted", admin=admin,
                   person=user, role=role.value, by=by,
                   url=url_for("admin.user", user_id=user.id, _external=True))


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
    if user.anonymised_at is not None:
        raise AccountError("This account's personal details were removed under the retention schedule, so it "
                           "cannot be reopened. If the person comes back, invite them again.")
    user.deactivated_at = None
    audit.record(by, "account.reactivated", user)
    db.session.flush()
