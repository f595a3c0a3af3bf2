"""Security headers, CSP nonces and session timeouts (OWASP ASVS level 2)."""
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.datastructures import MultiDict


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_security_headers(response):
    """after_request: CSP without inline scripts, no framing, no sniffing, no caching of signed-in pages."""
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Referrer-Policy", "same-origin")  # a page may ask for less (no-referrer)
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static" and (current_user.is_authenticated or "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = "no-store" if current_user.is_authenticated else "no-cache"
    return response


def _now() -> float:
    return datetime.now(UTC).timestamp()


def start_session(user) -> None:
    """A fresh session at sign-in: nothing carried over from before, so its contents and id are new.

    Two things survive: the text size chosen before signing in, and answers kept from a form posted after
    an idle sign-out, if this is the same person signing back in soon enough (see keep_posted_answers).
    """
    text_size = session.get("text_size")
    kept = session.get(KEPT)
    session.clear()
    session.permanent = True
    session["sid"] = secrets.token_urlsafe(16)
    session["login_at"] = session["seen_at"] = _now()
    if text_size:
        session["text_size"] = text_size
    if kept and kept.get("user_id") == user.id and _now() - kept.get("at", 0) <= KEEP_FOR.total_seconds():
        session[KEPT] = kept


def check_session_timeouts():
    """before_request: sign out after the idle or absolute timeout."""
    if not current_user.is_authenticated:
        return None
    now = _now()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    if now - seen_at > idle or now - login_at > absolute:
        kept = keep_posted_answers(current_user.id, now)
        logout_user()
        session.clear()
        if kept:
            session[KEPT] = kept
        minutes = int(idle // 60)
        why = (f"you had not used the portal for {minutes} minutes" if now - seen_at > idle
               else "you had been signed in for a long time")
        flash(f"You were signed out because {why}. Sign in again to carry on."
              + (" What you typed has been kept." if kept else ""), "info")
        return redirect(url_for("auth.login", next=_return_path(kept)))
    session["seen_at"] = now
    return None


# ---------------------------------------------------------------- answers posted after an idle sign-out

KEPT = "kept_answers"
KEEP_FOR = timedelta(hours=2)
KEEP_AT_MOST = 2500  # characters: the session cookie must stay under 4 KB
NEVER_KEPT = ("csrf_token", "password", "password_confirm", "current_password", "new_password")
NOT_FORMS = ("auth.logout", "auth.text_size")


def keep_posted_answers(user_id: int, now: float) -> dict | None:
    """A form posted after the idle limit: keep what was typed, for this person only, for a short while.

    It is kept in the signed session (never in a URL), and start_session hands it back only if the same
    person signs in again within KEEP_FOR; the form's page then shows it (kept_formdata). Passwords are never kept.
    """
    if request.method != "POST" or request.endpoint in NOT_FORMS or not request.form:
        return None
    form = {k: request.form.getlist(k) for k in request.form if k not in NEVER_KEPT and "password" not in k}
    if sum(len(k) + sum(len(v) for v in values) for k, values in form.items()) > KEEP_AT_MOST:
        return None
    return {"user_id": user_id, "at": now, "path": request.path, "form": form}


def _return_path(kept: dict | None) -> str:
    if kept:
        return kept["path"]
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


def kept_formdata():
    """The kept answers as form data, on a GET of the page they were posted to (else None); used up by that page."""
    if "kept_formdata" in g:
        return g.kept_formdata
    kept = session.get(KEPT)
    if not kept or request.method != "GET" or kept.get("path") != request.path:
        return None
    if kept.get("user_id") != getattr(current_user, "id", None):
        return None
    session.pop(KEPT)
    g.kept_formdata = MultiDict([(k, v) for k, values in kept["form"].items() for v in values])
    return g.kept_formdata


def idle_ends_at() -> datetime | None:
    """When this session will end if the person does nothing more (shown on every signed-in page)."""
    if not current_user.is_authenticated or "seen_at" not in session:
        return None
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    ends = min(session["seen_at"] + idle, session.get("login_at", 0) + absolute)
    return datetime.fromtimestamp(ends, UTC)
