"""Home page for every role, health check, and error pages."""
from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.actions import discard
from app.db_types import utcnow
from app.extensions import db
from app.permissions import public

bp = Blueprint("core", __name__)


@bp.app_template_global("home_taught_sessions")
def home_taught_sessions(user) -> list:
    """The next three sessions a trainer teaches, for their home card: one query, three rows at most."""
    from app.training.queries_home import next_taught_sessions

    return next_taught_sessions(user, utcnow())


@bp.route("/")
@public
def home():
    """What each person can do next; a welcome for visitors."""
    return render_template("core/home.html")


@bp.route("/accessibility")
@public
def accessibility():
    """The accessibility statement."""
    return render_template("core/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    """The privacy notice: controller, lawful bases, retention (from the policy files), rights, complaints."""
    from app.privacy.policy import current_policy as retention_policy
    from app.vetting.policy import current_policy

    vetting, retention = current_policy(), retention_policy()
    return render_template("core/privacy.html", unsuccessful_months=retention.unsuccessful_months,
                           retention=retention, note_months=vetting.note_retention_months,
                           recheck_years=vetting.recheck_years)


@bp.route("/healthz")
@public
def healthz():
    """Machine-readable health: is the database answering?"""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except SQLAlchemyError:
        discard()
        return jsonify(status="error", database="unavailable"), 503


def render_error(status: int, template: str):
    def handler(error):
        if status == 500:
            discard()
        return render_template(f"errors/{template}.html", error=error), status

    return handler


def register_error_handlers(app) -> None:
    for status, template in [(400, "400"), (403, "403"), (404, "404"), (405, "405"), (413, "413"), (429, "429"), (500, "500")]:
        app.register_error_handler(status, render_error(status, template))
    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, render_error(400, "csrf"))
