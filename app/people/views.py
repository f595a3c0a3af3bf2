"""The volunteers list for coordinators (their areas) and managers (everyone), and one page per person from which
their application, vetting, training record, readiness, pairings and expense claims are one click away.

Trainers do not get this list: they find people by name on a session's register, and must never see vetting.
"""
from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import Role
from app.core.models import Area
from app.expenses.rules import pounds
from app.extensions import db
from app.navigation import register_nav
from app.pagination import govuk_pagination
from app.people import queries, services_stages
from app.people.forms import PeopleFilterForm
from app.people.rules import PIPELINE, Stage
from app.permissions import area_scope, person_in_scope, roles_required
from app.timefmt import today_london

bp = Blueprint("people", __name__, url_prefix="/volunteers")
STAFF = (Role.COORDINATOR, Role.MANAGER)
register_nav("Volunteers", "people.index", *STAFF, order=20)


def _areas_for(staff) -> list[Area]:
    scope = area_scope(staff)
    query = select(Area).order_by(Area.position)
    if scope is not None:
        query = query.where(Area.id.in_(scope or [-1]))
    return list(db.session.scalars(query))


@bp.route("")
@roles_required(*STAFF)
def index():
    """Volunteers and applicants, searchable by name and filtered by area and stage, a page at a time."""
    areas = _areas_for(current_user)
    sees_all = area_scope(current_user) is None
    form = PeopleFilterForm(request.args, areas=areas, all_label="All areas" if sees_all else "All your areas")
    filters = {}
    if request.args and form.validate():
        filters = {"search": form.q.data or None, "area_id": form.area_id, "stage_code": form.stage.data or None}
    today = today_london()
    pager, stages = queries.page(current_user, today, kept=services_stages.ensure(today), **filters)
    return render_template("people/index.html", form=form, pager=pager, stages=stages,
                           pagination=govuk_pagination(pager, "people.index"), sees_all=sees_all)


@bp.route("/<int:user_id>")
@roles_required(*STAFF)
def person(user_id):
    """One person: their stage, and a link to each record the domains keep about them that you may open."""
    person = queries.get_person_or_404(current_user, user_id)
    today = today_london()
    stage = queries.stages_of([person.id], today)[person.id]
    in_scope = person_in_scope(current_user, person)  # the domains' own pages follow the person's areas
    applications = [a for a in queries.applications_of(person) if a.can_review(current_user)]
    is_volunteer = person.has_role(Role.VOLUNTEER)
    return render_template(
        "people/person.html", person=person, stage=stage, pipeline=PIPELINE, Stage=Stage,
        reached=PIPELINE.index(stage) if stage in PIPELINE else -1,
        applications=applications, in_scope=in_scope,
        vetting=in_scope and queries.has_vetting_record(person),
        readiness=in_scope and is_volunteer, training=in_scope,
        pairings=queries.pairings_of(person) if in_scope else [],
        claims=[c for c in queries.claims_of(person) if c.can_view(current_user)], pounds=pounds)
