"""Sign up, sign in, sign out, e-mail confirmation, password reset and the account page."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.actions import perform
from app.auth import services
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
    TextSizeForm,
)
from app.auth.models import TextSize, User
from app.auth.rules import wait_in_words
from app.extensions import db
from app.permissions import public, signed_in
from app.security import start_session
from app.urls import safe_next

bp = Blueprint("auth", __name__)

SIGN_IN_PROBLEMS = {
    "bad": "Enter a correct e-mail address and password",
    "wait": "Too many attempts to sign in to this account from here. Wait {wait} and try again, or reset your password",
    "source_limited": "Too many attempts to sign in from this connection. Wait {wait} and try again",
    "deactivated": "Enter a correct e-mail address and password",
}
TOO_MANY = "Too many requests from this connection. Wait {wait} and try again"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignInForm()
    if form.validate_on_submit():
        # retry: a double tap on "Sign in" races itself over the same account row.
        outcome = perform(services.authenticate, form.email.data, form.password.data, request.remote_addr or "",
                          retry=True)
        result = outcome.value or services.SignInResult(problem="bad")
        if result.user is not None:
            chosen = session.get("text_size")  # chosen on this browser before signing in: it wins
            start_session(result.user)
            login_user(result.user)
            if chosen and chosen != result.user.text_size.value:
                perform(services.set_text_size, result.user, TextSize(chosen))
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        if result.problem == "unverified":
            return redirect(url_for("auth.check_email", resent=1))
        form.email.errors.append(SIGN_IN_PROBLEMS[result.problem].format(wait=wait_in_words(result.retry_after or timedelta())))
        form.password.data = ""
        if result.problem == "source_limited":
            return render_template("auth/login.html", form=form), 429, retry_after(result.retry_after)
    return render_template("auth/login.html", form=form)


def too_many(template: str, form, kind: str):
    """The form again, with a 429: this connection has sent too many of these (the page names no account)."""
    window = current_app.config[f"{kind}_LIMIT_PER_SOURCE"][1]
    form.email.errors.append(TOO_MANY.format(wait=wait_in_words(window)))
    return render_template(template, form=form), 429, retry_after(window)


def retry_after(wait: timedelta | None) -> dict:
    return {"Retry-After": str(max(1, int((wait or timedelta()).total_seconds())))}


@bp.route("/sign-out", methods=["POST"])
@signed_in
def logout():
    """Sign out: this ends the session for good, on every device."""
    perform(services.sign_out, current_user)
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


@bp.route("/sign-up", methods=["GET", "POST"])
@public
def register():
    """Create an account; it works once the e-mail address is confirmed."""
    form = SignUpForm()
    if form.validate_on_submit():
        # Whoever wins a race for one address, both people are told the same: look for our e-mail.
        outcome = perform(services.register_user, form.email.data, form.full_name.data, form.password.data,
                          request.remote_addr or "", next_url=safe_next(request.args.get("next")))
        if outcome.value is False:
            return too_many("auth/register.html", form, "SIGNUP")
        return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form)


@bp.route("/sign-up/check-your-email")
@public
def check_email():
    """Tell the person to look for our e-mail (whether or not the address was new)."""
    return render_template("auth/check_email.html", resent=bool(request.args.get("resent")))


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@public
def verify_email(token):
    """Confirm an e-mail address from the link we sent (a button, so link scanners change nothing)."""
    user, next_url = services.user_from_verify_token(token)
    if user is None:
        return render_template("auth/link_invalid.html", resend_url=url_for("auth.resend_verification")), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        perform(services.verify_email, user).flash("Your e-mail address is confirmed. You can now sign in.")
        return redirect(url_for("auth.login", next=safe_next(next_url)))
    return render_template("auth/confirm_email.html", form=form, user=user)


@bp.route("/confirm-email/send-again", methods=["GET", "POST"])
@public
def resend_verification():
    """Send a fresh confirmation link."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        if perform(services.resend_verification, form.email.data, request.remote_addr or "").value is False:
            return too_many("auth/resend.html", form, "RESEND")
        return redirect(url_for("auth.check_email", resent=1))
    return render_template("auth/resend.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a password reset link."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        if perform(services.request_password_reset, form.email.data, request.remote_addr or "").value is False:
            return too_many("auth/forgot.html", form, "RESET")
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    """Choose a new password from a reset link (the link works once, for an hour)."""
    user = services.user_from_reset_token(token)
    if user is None:
        return render_template("auth/link_invalid.html", resend_url=url_for("auth.forgot_password")), 400
    form = ResetPasswordForm()
    if form.validate_on_submit() and perform(services.set_password, user, form.password.data,
                               action="auth.password_reset").flash(
            "Your password has been changed. Sign in with your new password."):
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/account")
@signed_in
def account():
    """Your account: name, e-mail, roles, password."""
    return render_template("auth/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change your password; other devices are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if perform(services.set_password, user, form.password.data).flash(
                "Your password has been changed. Any other devices have been signed out."):
            start_session(user)
            login_user(user)
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/text-size", methods=["POST"])
@public
def text_size():
    """Remember the chosen text size: on the account when signed in, otherwise for this browser."""
    form = TextSizeForm()
    if not form.validate_on_submit():
        abort(400)
    size = TextSize(form.size.data)
    session["text_size"] = size.value
    if current_user.is_authenticated:
        perform(services.set_text_size, current_user, size)
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.route("/session/keep-alive", methods=["POST"])
@signed_in
def keep_alive():
    """'Stay signed in' from the time-out warning: the request itself counts as using the portal."""
    return "", 204


def load_user(token: str):
    """Flask-Login loader: the session holds the person's current session token, not their id."""
    # Roles are read from the database on every request, so removing one takes effect at once.
    # One query (the grants joined), as every signed-in request runs it.
    user = db.session.execute(select(User).where(User.session_token == token)
                              .options(joinedload(User.role_grants))).unique().scalar_one_or_none()
    if user is None or not user.is_active:
        return None
    return user


def init_login(login_manager) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
