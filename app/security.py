"""Security headers, CSP nonces and session timeouts (OWASP ASVS level 2)."""
import secrets
from datetime import UTC, datetime

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user


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
    """A fresh session at sign-in: nothing carried over from before, so its contents and id are new."""
    text_size = session.get("text_size")
    session.clear()
    session.permanent = True
    session["sid"] = secrets.token_urlsafe(16)
    session["login_at"] = session["seen_at"] = _now()
    if text_size:
        session["text_size"] = text_size


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
        logout_user()
        session.clear()
        flash("You were signed out because you had not used the portal for a while. Please sign in again.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session["seen_at"] = now
    return None
