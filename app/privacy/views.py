"""Your data: what the portal holds about you, as a page and as a JSON download (a subject access request).
Staff (managers; coordinators for their areas) produce the same for a person, and that is audited."""
import json
from datetime import date, datetime

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from app.actions import perform
from app.auth.models import Role, User
from app.extensions import db
from app.permissions import roles_required, signed_in
from app.privacy import queries, services
from app.timefmt import format_date, format_datetime

bp = Blueprint("privacy", __name__)

PAGE_AUDIT_ROWS = 20  # the page shows the newest log entries; the download has them all


def words(value):
    """A value in plain words for the page: text, or a list of texts."""
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return "Not recorded"
    if value is True or value is False:
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {'none' if v is None else words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return [words(v) for v in value]
    label = getattr(value, "label", None)
    return label if isinstance(label, str) else str(value)


def _download(person: User, sections, name: str) -> Response:
    body = json.dumps(queries.as_json(person, sections), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/account/your-data")
@signed_in
def your_data():
    """Everything the portal holds about you, in sections, with what is withheld and why."""
    person = current_user._get_current_object()
    return render_template("privacy/your_data.html", person=person, sections=queries.person_data(person),
                           own=True, audit_rows=PAGE_AUDIT_ROWS, words=words)


@bp.route("/account/your-data.json")
@signed_in
def your_data_json():
    """The same, as a JSON file to keep."""
    person = current_user._get_current_object()
    return _download(person, queries.person_data(person), "your-data.json")


def _person_or_404(user_id: int) -> User:
    """Someone this member of staff may produce data for; anyone else is not found (self: refused)."""
    person = db.get_or_404(User, user_id)
    if person.id == current_user.id:
        abort(403)  # your own data is at /account/your-data
    if not services.may_produce(current_user, person):
        abort(404)
    return person


@bp.route("/people/<int:user_id>/data")
@roles_required(Role.COORDINATOR, Role.MANAGER)
def person_data(user_id):
    """A person's data, produced for a subject access request (with staff notes, to review before sending)."""
    person = _person_or_404(user_id)
    perform(services.record_data_produced, current_user, person, "page")
    return render_template("privacy/your_data.html", person=person, own=False, audit_rows=None, words=words,
                           sections=queries.person_data(person, include_staff_notes=True))


@bp.route("/people/<int:user_id>/data.json")
@roles_required(Role.COORDINATOR, Role.MANAGER)
def person_data_json(user_id):
    person = _person_or_404(user_id)
    perform(services.record_data_produced, current_user, person, "json")
    return _download(person, queries.person_data(person, include_staff_notes=True), f"person-{person.id}-data.json")
