"""Admin pages: people and roles, areas, and the audit log."""
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.actions import perform
from app.admin import queries, services
from app.admin import rules_audit as words
from app.admin.forms import (
    AreaForm,
    AreasForm,
    AuditFilterForm,
    DeactivateForm,
    InviteForm,
    ReactivateForm,
    RolesForm,
    UserSearchForm,
)
from app.auth.forms import ResetPasswordForm
from app.auth.models import Role, User, UserRole
from app.auth.services import deactivate_user, reactivate_user, set_password
from app.core.models import Area
from app.extensions import db
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number
from app.permissions import public, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
register_nav("People", "admin.users", Role.ADMIN, order=90)
register_nav("Audit log", "audit.log", Role.MANAGER, Role.ADMIN, order=95)


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def area_choices() -> list[tuple[int, str]]:
    return [(a.id, a.label) for a in db.session.scalars(select(Area).order_by(Area.position))]


@bp.route("/people")
@roles_required(Role.ADMIN)
def users():
    """Everyone with an account, searchable by name, e-mail and role."""
    form = UserSearchForm(request.args)
    query = select(User).options(selectinload(User.role_grants)).order_by(User.full_name, User.id)
    if form.validate():
        if form.q.data:
            like = f"%{form.q.data.lower()}%"
            query = query.where(or_(db.func.lower(User.full_name).like(like), User.email.like(like)))
        if form.role.data:
            query = query.where(User.role_grants.any(UserRole.role == Role(form.role.data)))
    pager = db.paginate(query, page=page_number(), per_page=25, error_out=False)
    return render_template("admin/users.html", form=form, pager=pager,
                           pagination=govuk_pagination(pager, "admin.users"))


@bp.route("/people/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite():
    """Invite someone by e-mail with their roles and areas; they choose a password from the link."""
    form = InviteForm()
    form.areas.choices = area_choices()
    if form.validate_on_submit():
        outcome = perform(services.invite_person, form.email.data, form.full_name.data,
                          {Role(r) for r in form.roles.data}, form.areas.data, current_user)
        if outcome.flash(outcome.ok and f"Invitation sent to {outcome.value.email}."):
            return redirect(url_for("admin.user", user_id=outcome.value.id))
    return render_template("admin/invite.html", form=form, days=services.INVITE_LIFETIME.days)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    """An invited person chooses their password (the link works once, for a week)."""
    person = services.user_from_invitation(token)
    if person is None:
        return render_template("auth/link_invalid.html", resend_url=url_for("auth.forgot_password")), 400
    form = ResetPasswordForm()
    if form.validate_on_submit() and perform(set_password, person, form.password.data,
                                             action="auth.invitation_accepted").flash(
            "Your password is saved. Sign in to start."):
        return redirect(url_for("auth.login"))
    return render_template("admin/accept_invitation.html", form=form, person=person)


@bp.route("/people/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id):
    """One person's account: roles, areas, and whether they can sign in."""
    return render_user_page(get_user_or_404(user_id), DeactivateForm())


def render_user_page(person: User, deactivate_form: DeactivateForm, status: int = 200):
    roles_form = RolesForm(data={"roles": [r.value for r in person.roles]})
    areas_form = AreasForm(data={"areas": [a.id for a in person.areas]})
    areas_form.areas.choices = area_choices()
    return render_template("admin/user.html", person=person, roles_form=roles_form, areas_form=areas_form,
                           deactivate_form=deactivate_form, reactivate_form=ReactivateForm()), status


@bp.route("/people/<int:user_id>/roles", methods=["POST"])
@roles_required(Role.ADMIN)
def set_roles(user_id):
    """Grant and remove roles (audited)."""
    person = get_user_or_404(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = perform(services.set_roles, person, {Role(r) for r in form.roles.data or ()}, current_user)
    outcome.flash(outcome.ok and (f"Roles saved for {person.display_name}." if any(outcome.value)
                                  else "No changes to roles."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/people/<int:user_id>/areas", methods=["POST"])
@roles_required(Role.ADMIN)
def set_areas(user_id):
    """Set the areas a person works in."""
    person = get_user_or_404(user_id)
    form = AreasForm()
    form.areas.choices = area_choices()
    if not form.validate_on_submit():
        abort(400)
    perform(services.set_areas, person, form.areas.data, current_user).flash(f"Areas saved for {person.display_name}.")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def deactivate(user_id):
    """Stop a person signing in; their sessions end at once."""
    person = get_user_or_404(user_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        outcome = perform(deactivate_user, person, current_user, form.reason.data)
        if outcome.flash(f"{person.display_name}'s account is deactivated."):
            return redirect(url_for("admin.user", user_id=user_id))
        form.reason.errors.append(outcome.message)
    return render_user_page(person, form, 400)


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def reactivate(user_id):
    """Let a deactivated person sign in again."""
    person = get_user_or_404(user_id)
    if not ReactivateForm().validate_on_submit():
        abort(400)
    perform(reactivate_user, person, current_user).flash(f"{person.display_name}'s account is active again.")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/areas", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def areas():
    """The scheme's areas, and a form to add one."""
    form = AreaForm()
    if form.validate_on_submit() and perform(
            services.save_area, None, form.name.data, form.places.data or "", form.active.data == "yes",
            current_user).flash(f"Area {form.name.data} added."):
        return redirect(url_for("admin.areas"))
    all_areas = db.session.scalars(select(Area).order_by(Area.position)).all()
    return render_template("admin/areas.html", form=form, areas=all_areas)


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def area(area_id):
    """Rename an area or stop offering it."""
    item = db.get_or_404(Area, area_id)
    form = AreaForm(data={"name": item.name, "places": item.places, "active": "yes" if item.active else "no"},
                    existing=item)
    if form.validate_on_submit() and perform(
            services.save_area, item, form.name.data, form.places.data or "", form.active.data == "yes",
            current_user).flash(f"Area {form.name.data} saved."):
        return redirect(url_for("admin.areas"))
    return render_template("admin/area.html", form=form, area=item)


audit_bp = Blueprint("audit", __name__, url_prefix="/audit")


def _audit_filter() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(request.args, kinds=queries.kinds_for(current_user))
    return form, bool(request.args) and form.validate()


@audit_bp.route("")
@roles_required(Role.MANAGER, Role.ADMIN)
def log():
    """The audit log in plain words, newest first, filtered by kind of action, person and dates; sign-ins and
    sign-outs only when asked for."""
    form, valid = _audit_filter()
    query = queries.filtered(form, current_user, valid)
    pager = db.paginate(query, page=page_number(), per_page=50, error_out=False, count=False)
    pager.total = queries.count_shown(form, current_user, valid, query)
    keep = {k: v for k, v in request.args.items(multi=True) if k != "page"} if valid else {}
    return render_template("admin/audit.html", form=form, pager=pager, describe=queries.describe,
                           details=words.safe_details, kinds=words.KINDS, kind_of=words.kind_of,
                           export_url=url_for("audit.export", **keep) if valid else url_for("audit.export"),
                           pagination=govuk_pagination(pager, "audit.log"))


@audit_bp.route("/log.csv")
@roles_required(Role.MANAGER, Role.ADMIN)
def export():
    """The filtered audit log as CSV (streamed): UK times, the plain words and the code of each entry."""
    form, valid = _audit_filter()
    lines = queries.export_lines(queries.export_query(form, current_user, valid))
    return Response(lines, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
