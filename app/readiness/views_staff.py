"""Readiness pages for coordinators and managers: the list, the export, a volunteer's gates and decisions."""
from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.actions import perform
from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.navigation import register_nav
from app.permissions import person_in_scope, roles_required
from app.readiness import forms, queries, queries_export, services, services_states  # noqa: F401  (keeps the states)
from app.readiness.models import EmergencyContact, Induction, MentorStanding, StandDown, Standing
from app.readiness.policy import current_policy
from app.readiness.views import bp
from app.timefmt import today_london

STAFF = (Role.COORDINATOR, Role.MANAGER)
register_nav("Readiness", "readiness.staff_list", *STAFF, order=31)


@bp.app_template_filter("stand_down_words")
def stand_down_words(stand_downs) -> str:
    """Each stand-down: the day and the gates that failed, in staff's words."""
    from app.timefmt import format_date

    policy = current_policy()
    return "; ".join(f"{format_date(s.stood_down_on)}: " + ", ".join(
        policy.gate(c).staff if policy.gate(c) else c for c in s.gate_codes) for s in stand_downs) or "Never"


def get_volunteer_or_404(user_id: int) -> User:
    """A volunteer in the areas this member of staff covers (managers: anyone); otherwise not found."""
    person = db.get_or_404(User, user_id)
    if not person.has_role(Role.VOLUNTEER) or not person_in_scope(current_user, person):
        abort(404)
    return person


def _back(volunteer: User):
    return redirect(url_for("readiness.person", user_id=volunteer.id))


def _confirmed() -> None:
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)


@bp.route("/staff")
@roles_required(*STAFF)
def staff_list():
    """Volunteers by gate state, with filters: coordinators see their areas, managers everyone."""
    form = forms.ListFilterForm(request.args)
    today = today_london()
    data = queries.build_list(form, current_user, today)
    return render_template("readiness/staff_list.html", form=form, today=today, **data)  # bad filters: messages


@bp.route("/staff/readiness.csv")
@roles_required(*STAFF)
def export():
    """The list as a CSV file, streamed: one row per volunteer, a column per gate, Released, good until."""
    form = forms.ListFilterForm(request.args)
    rows = queries_export.export_rows(form, current_user, today_london())
    return Response(rows, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=readiness.csv"})


@bp.route("/people/<int:user_id>")
@roles_required(*STAFF)
def person(user_id):
    """One volunteer's gates in staff's words, with release, suspension and the induction meeting."""
    volunteer = get_volunteer_or_404(user_id)
    today = today_london()
    standing = queries.standings([volunteer.id]).get(volunteer.id)
    contact = db.session.scalar(select(EmergencyContact).where(EmergencyContact.volunteer_id == volunteer.id))
    stand_downs = db.session.scalars(select(StandDown).where(StandDown.volunteer_id == volunteer.id)
                                     .order_by(StandDown.id.desc())).all()
    inductions = db.session.scalars(select(Induction).where(Induction.volunteer_id == volunteer.id)
                                    .order_by(Induction.held_on.desc(), Induction.id.desc())).all()
    return render_template("readiness/person.html", volunteer=volunteer, today=today,
                           readiness=queries.readiness_of(volunteer, today), standing=standing,
                           status=standing.status if standing else Standing.NOT_RELEASED, inductions=inductions,
                           contact=contact, stand_downs=stand_downs,
                           can_decide=MentorStanding.can_decide(current_user, volunteer),
                           can_lift=MentorStanding.can_lift_suspension(current_user, volunteer),
                           form=forms.ConfirmForm())


@bp.route("/people/<int:user_id>/release", methods=["POST"])
@roles_required(*STAFF)
def release(user_id):
    """Release the volunteer to client work (refused unless every gate passes today)."""
    volunteer = get_volunteer_or_404(user_id)
    _confirmed()
    perform(services.release_volunteer, volunteer, current_user).flash(
        f"{volunteer.display_name} is released to client work. We have e-mailed them.")
    return _back(volunteer)


@bp.route("/people/<int:user_id>/suspend", methods=["POST"])
@roles_required(*STAFF)
def suspend(user_id):
    """Suspend the volunteer (a safeguarding concern): only a manager can lift it."""
    volunteer = get_volunteer_or_404(user_id)
    _confirmed()
    perform(services.suspend_volunteer, volunteer, current_user).flash(f"{volunteer.display_name} is suspended.")
    return _back(volunteer)


@bp.route("/people/<int:user_id>/lift-suspension", methods=["POST"])
@roles_required(Role.MANAGER)
def lift_suspension(user_id):
    """Lift a suspension (managers only); the volunteer then needs releasing again."""
    volunteer = get_volunteer_or_404(user_id)
    _confirmed()
    perform(services.lift_suspension, volunteer, current_user).flash("The suspension is lifted.")
    return _back(volunteer)


@bp.route("/people/<int:user_id>/pause", methods=["POST"])
@roles_required(*STAFF)
def staff_pause(user_id):
    """Record a pause (a sabbatical) for the volunteer, or end it."""
    volunteer = get_volunteer_or_404(user_id)
    _confirmed()
    if queries.standing_of(volunteer) == Standing.PAUSED:
        perform(services.end_pause, volunteer, current_user).flash("The pause has ended.")
    else:
        perform(services.pause_volunteer, volunteer, current_user).flash(f"{volunteer.display_name} is paused.")
    return _back(volunteer)


def _supervisors(volunteer: User) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role_grants.any(UserRole.role.in_([Role.COORDINATOR, Role.MANAGER])), User.deactivated_at.is_(None),
        User.id != volunteer.id).order_by(User.full_name, User.id)))


@bp.route("/people/<int:user_id>/induction", methods=["GET", "POST"])
@roles_required(*STAFF)
def induction(user_id):
    """Record the induction meeting and name the volunteer's supervisor."""
    volunteer = get_volunteer_or_404(user_id)
    supervisors = _supervisors(volunteer)
    form = forms.InductionForm(supervisors=supervisors,
                               data={"supervisor": str(current_user.id)} if request.method == "GET" else None)
    if form.validate_on_submit():
        supervisor = next(u for u in supervisors if str(u.id) == form.supervisor.data)
        outcome = perform(services.record_induction, volunteer, form.held_on.data, supervisor, current_user)
        if outcome.flash("Induction meeting recorded."):
            return _back(volunteer)
    return render_template("readiness/induction.html", form=form, volunteer=volunteer), 400 if form.errors else 200
