"""Training pages for trainers and coordinators: scheduling sessions, venues, and attendance registers."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.actions import perform
from app.admin.services import INVITE_LIFETIME
from app.applications.rules import normalise_phone
from app.auth.models import Role, User
from app.auth.services import find_user_by_email
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db
from app.forms import ActionForm
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number, query_id
from app.permissions import roles_required
from app.timefmt import today_london
from app.training import queries, rules, services, services_registers
from app.training.forms import (
    CancelSessionForm,
    NewcomerForm,
    SessionForm,
    VenueForm,
    WalkInForm,
    register_form,
)
from app.training.models import Attendance, Course, TrainingSession, Venue
from app.training.views import bp

register_nav("Teaching", "training.teaching", Role.TRAINER, order=32)
register_nav("Training sessions", "training.manage", Role.COORDINATOR, Role.MANAGER, order=33)

STAFF = (Role.COORDINATOR, Role.TRAINER)


@bp.route("/teaching")
@roles_required(*STAFF)
def teaching():
    """The sessions you teach, 25 a page, with links to their registers."""
    now = utcnow()
    pager = db.paginate(queries.taught_sessions_query(current_user, now - services.policy().closes_after),
                        page=page_number(), per_page=25, error_out=False)
    return render_template("training/teaching.html", sessions=pager.items, now=now,
                           pagination=govuk_pagination(pager, "training.teaching"),
                           feed=services.feed_for(current_user, create=False), form=ActionForm())


@bp.route("/manage")
@roles_required(Role.COORDINATOR, Role.MANAGER)
def manage():
    """Every session from today on, 25 a page, for coordinators to schedule, change and cancel; managers read it
    (they oversee the scheme: scheduling, changing and registers stay with coordinators and trainers)."""
    pager = db.paginate(select(TrainingSession).where(TrainingSession.ends_at > utcnow())
                        .order_by(TrainingSession.starts_at, TrainingSession.id),
                        page=page_number(), per_page=25, error_out=False)
    return render_template("training/manage.html", sessions=pager.items,
                           pagination=govuk_pagination(pager, "training.manage"),
                           schedules=current_user.has_role(Role.COORDINATOR))


def _session_form(existing=None) -> SessionForm:
    form = SessionForm(existing=existing, today=today_london())
    form.course.choices = [(c.id, c.title) for c in queries.schedulable_courses()]
    form.venue.choices = [(0, "Online (no venue)")] + [(v.id, f"{v.name} ({v.area.name})")
                                                       for v in queries.venues_by_name() if v.active]
    form.trainers.choices = queries.trainer_choices()
    return form


def _form_values(form: SessionForm, course: Course) -> dict:
    trainers = list(db.session.scalars(select(User).where(User.id.in_(form.trainers.data))))
    return {"starts_at": form.starts_at, "ends_at": form.ends_at,
            "capacity": form.capacity.data or course.default_capacity,
            "venue": db.session.get(Venue, form.venue.data) if form.venue.data else None,
            "online_link": form.online_link.data, "trainers": trainers, "notes": form.notes.data,
            "part": form.part.data or 1}


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_session():
    """Schedule a session of a course."""
    form = _session_form()
    if request.method == "GET":
        form.trainers.data = [current_user.id] if current_user.has_role(Role.TRAINER) else []
        form.capacity.data = None
    if form.validate_on_submit():
        course = db.get_or_404(Course, form.course.data)
        outcome = perform(services.schedule_session, course, by=current_user, **_form_values(form, course))
        if outcome.flash(f"{course.title} is scheduled and open for booking."):
            return redirect(url_for("training.session", session_id=outcome.value.id))
    return render_template("training/session_form.html", form=form, item=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_session(session_id):
    """Change a session; everyone booked gets an updated invitation."""
    item = queries.get_managed_session_or_404(session_id, current_user)
    if item.phase() is not rules.Phase.UPCOMING:
        flash("This session has started or been cancelled, so it can no longer be changed.", "error")
        return redirect(url_for("training.session", session_id=item.id))
    form = _session_form(existing=item)
    if request.method == "GET":
        form.fill_from(item)
    if form.validate_on_submit():
        perform(services.update_session, item, by=current_user, **_form_values(form, item.course)).flash(
            "The session is updated. Everyone booked has been sent the new details.")
        return redirect(url_for("training.session", session_id=item.id))
    return render_template("training/session_form.html", form=form, item=item)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@roles_required(*STAFF)
def cancel_session(session_id):
    """Cancel a session; everyone booked or waiting is told."""
    item = queries.get_managed_session_or_404(session_id, current_user)
    form = CancelSessionForm()
    if form.validate_on_submit():
        perform(services.cancel_session, item, form.reason.data, current_user).flash(
            "The session is cancelled and everyone booked has been told.")
        return redirect(url_for("training.session", session_id=item.id))
    return render_template("training/cancel_session.html", form=form, item=item)


# ------------------------------------------------------------------ registers

def _register_session(session_id: int) -> TrainingSession:
    item = queries.get_managed_session_or_404(session_id, current_user)
    if item.cancelled:
        abort(404)
    return item


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@roles_required(*STAFF)
def register(session_id):
    """The attendance register, made for a phone: one choice per person."""
    item = _register_session(session_id)
    perform(services_registers.close_if_due, item)
    bookings = queries.register_bookings(item)
    form = register_form(bookings, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        marks = [(b, Attendance(f.data), m.data) for b, f, m in form.rows if f.data]
        outcome = perform(services_registers.mark_register, item, marks, current_user)
        outcome.flash(outcome.ok and _saved_message(outcome.value))
        return redirect(url_for("training.register", session_id=item.id))
    find = request.args.get("find", "")[:100]
    walk_in = WalkInForm()
    matches = queries.walk_in_matches(item, find)
    # Nobody is chosen for the trainer: the first match is not preselected.
    walk_in.volunteer.choices = [(0, "Choose the person")] + [(v.id, v.display_name) for v in matches] \
        if matches else []
    newcomer = _newcomer_form(item) if find.strip() and not matches else None
    return render_template("training/register.html", session=item, form=form, walk_in=walk_in, find=find.strip(),
                           newcomer=newcomer, newcomer_refusal=services_registers.newcomer_refusal(item, current_user),
                           action=ActionForm(), state=item.register_state(),
                           opens_at=item.starts_at - services.policy().opens_before,
                           opens_minutes=int(services.policy().opens_before.total_seconds() // 60),
                           allowance=services.policy().allowance_for(item.course.code), ended=utcnow() >= item.ends_at,
                           can_mark=item.can_mark_register(current_user),
                           waitlist=queries.waitlist(item))


def _saved_message(saved: services_registers.RegisterSaved) -> str:
    text = f"Register saved ({saved.changed} {'change' if saved.changed == 1 else 'changes'})."
    for certificate in saved.revoked:
        text += (f" {certificate.holder_name}'s certificate for {certificate.course_title} is revoked, because the"
                 " register no longer shows them attending. It stays on record and its public check says revoked.")
    return text


@bp.route("/sessions/<int:session_id>/register/all-present", methods=["POST"])
@roles_required(*STAFF)
def all_present(session_id):
    """One tap: everyone not yet marked is present."""
    item = _register_session(session_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(services_registers.mark_all_present, item, current_user)
    outcome.flash(outcome.ok and f"{outcome.value} {'person' if outcome.value == 1 else 'people'} marked present.")
    return redirect(url_for("training.register", session_id=item.id))


@bp.route("/sessions/<int:session_id>/register/walk-in", methods=["POST"])
@roles_required(*STAFF)
def walk_in(session_id):
    """Add a volunteer who turned up without a booking."""
    item = _register_session(session_id)
    form = WalkInForm()
    chosen = query_id(request.form.get("volunteer"))
    person = queries.walk_in_candidate(item, chosen) if chosen else None  # one person checked, not everyone listed
    form.volunteer.choices = [(person.id, person.display_name)] if person else []
    if not form.validate_on_submit():
        flash("Choose a volunteer from the list to add them to the register.", "error")
        return redirect(url_for("training.register", session_id=item.id))
    volunteer = db.get_or_404(User, form.volunteer.data)
    perform(services_registers.add_walk_in, item, volunteer, current_user).flash(
        f"{volunteer.display_name} is added to the register and marked present.")
    return redirect(url_for("training.register", session_id=item.id))


def _newcomer_form(item: TrainingSession) -> NewcomerForm:
    """The short form for someone without an account; on the register it starts with the name searched for."""
    form = NewcomerForm()
    areas = db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.position))
    form.area.choices = [(0, "Choose the area")] + [(a.id, a.name) for a in areas]
    if request.method == "GET":
        form.full_name.data = " ".join(request.args.get("find", "").split())[:100] or None
        form.area.data = item.venue.area_id if item.venue and item.venue.area.active else 0
    return form


@bp.route("/sessions/<int:session_id>/register/new-person", methods=["GET", "POST"])
@roles_required(*STAFF)
def newcomer(session_id):
    """Add someone at the session who has no account: they get one (an applicant's) and an e-mailed invitation.

    An address that already has an account is refused plainly; the person is offered for adding only if they
    could be added anyway (found by the walk-in search), and nothing else about the account is shown."""
    item = _register_session(session_id)
    refusal = services_registers.newcomer_refusal(item, current_user)
    form = _newcomer_form(item)
    existing, joinable = None, None
    if refusal is None and form.validate_on_submit():
        existing = find_user_by_email(form.email.data)
        if existing is None:
            phone = normalise_phone(form.phone.data) if form.phone.data else None
            outcome = perform(services_registers.add_newcomer, item, form.full_name.data, form.email.data, phone,
                              db.session.get(Area, form.area.data), current_user)
            if outcome.ok:
                flash(f"{outcome.value.user.display_name} is added to the register and marked present. We have e-mailed "
                      f"{outcome.value.user.email} a link to make their account.")
                return redirect(url_for("training.register", session_id=item.id))
            existing = find_user_by_email(form.email.data)  # made a moment ago, by another trainer
            if existing is None:
                flash(outcome.message, "error")
        if existing is not None:
            form.email.errors.append(services_registers.ALREADY_HAS_ACCOUNT.format(email=existing.email))
            joinable = next((p for p in queries.walk_in_candidates(item, existing.full_name) if p.id == existing.id), None)
    return render_template("training/newcomer.html", session=item, form=form, refusal=refusal, days=INVITE_LIFETIME.days,
                           existing=existing is not None, joinable=joinable)


# ------------------------------------------------------------------ venues

@bp.route("/venues")
@roles_required(Role.COORDINATOR, Role.MANAGER)
def venues():
    """Venues sessions can be held at (managers read them; coordinators add and change them)."""
    return render_template("training/venues.html", venues=queries.venues_by_name(),
                           edits=current_user.has_role(Role.COORDINATOR))


def _venue_form(obj=None) -> VenueForm:
    form = VenueForm(obj=obj, existing=obj)
    form.area.choices = [(a.id, a.name) for a in db.session.scalars(select(Area).order_by(Area.position))]
    if obj is not None and request.method == "GET":
        form.area.data = obj.area_id
    return form


@bp.route("/venues/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_venue():
    """Add a venue."""
    form = _venue_form()
    if form.validate_on_submit() and perform(services.save_venue, None, by=current_user, name=form.name.data,
                               address=form.address.data,
               area_id=form.area.data, access_notes=form.access_notes.data or "").flash(f"{form.name.data} is added."):
        return redirect(url_for("training.venues"))
    return render_template("training/venue_form.html", form=form, venue=None)


@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_venue(venue_id):
    """Change a venue's details."""
    venue = queries.get_venue_or_404(venue_id)
    form = _venue_form(venue)
    if form.validate_on_submit() and perform(services.save_venue, venue, by=current_user, name=form.name.data,
                               address=form.address.data,
               area_id=form.area.data, access_notes=form.access_notes.data or "").flash(f"{form.name.data} is updated."):
        return redirect(url_for("training.venues"))
    return render_template("training/venue_form.html", form=form, venue=venue)
