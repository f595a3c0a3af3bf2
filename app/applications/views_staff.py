"""The coordinators' side: the queue, one application, and the actions the state machine allows."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, true
from sqlalchemy.orm import selectinload

from app.actions import perform, render_and_commit
from app.applications import forms, services
from app.applications.models import Application, Referee
from app.applications.queries import (
    QueueFilter,
    application_history,
    area_choices,
    queue_query,
    shown_total,
    status_counts,
)
from app.applications.rules import Status
from app.applications.views import bp
from app.auth.models import Role
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number
from app.permissions import area_scope, roles_required

REVIEWERS = (Role.COORDINATOR, Role.MANAGER)
register_nav("Applications", "applications.queue", *REVIEWERS, order=20)


def get_application_or_404(application_id: int) -> Application:
    """A sent application (drafts, even withdrawn ones, are the applicant's own business), or 404."""
    application = db.session.get(Application, application_id,
                                 options=[selectinload(Application.referees),
                                          selectinload(Application.areas)])
    if application is None or application.status == Status.DRAFT or application.submitted_at is None:
        abort(404)
    if not application.can_review(current_user):  # outside their areas, or their own: not found
        abort(404)
    return application


def get_referee_or_404(application: Application, referee_id: int) -> Referee:
    referee = next((r for r in application.referees if r.id == referee_id), None)
    if referee is None:
        abort(404)
    return referee


@bp.route("/applications")
@roles_required(*REVIEWERS)
def queue():
    """Applications waiting for a decision, opening on the coordinator's own areas."""
    form = forms.QueueFilterForm(request.args)
    my_ids = [a.id for a in current_user.areas]
    scope = area_scope(current_user)
    areas = list(db.session.scalars(select(Area).where(Area.id.in_(scope) if scope is not None else true())
                                    .order_by(Area.position)))
    form.area.choices = area_choices(areas, bool(my_ids), sees_all=scope is None)
    if "area" not in request.args:
        form.area.data = "mine" if my_ids else ""
    seen = {"scope": scope, "staff_id": current_user.id}
    f = QueueFilter(area=form.area.data or "", **seen)
    if form.validate():
        f = QueueFilter(status=form.status.data or "", area=form.area.data or "", waiting=form.waiting.data,
                        submitted_from=form.submitted_from.data, submitted_to=form.submitted_to.data, **seen)
    now = utcnow()  # one moment for the counts and the page, so "waiting N days" cuts both at the same time
    counts = status_counts(f, my_ids, now)
    # The total is the counts' sum for the statuses shown: no second COUNT over the same applications.
    pager = db.paginate(queue_query(f, my_ids, now), page=page_number(), per_page=25, error_out=False, count=False)
    pager.total = shown_total(f, counts)
    return render_template("applications/queue.html", form=form, pager=pager, counts=counts,
                           pagination=govuk_pagination(pager, "applications.queue"), current=f)


@bp.route("/applications/<int:application_id>")
@roles_required(*REVIEWERS)
def detail(application_id):
    """Everything about one application, with the actions its status allows."""
    application = get_application_or_404(application_id)
    duplicates = [d for d in services.find_duplicates(application) if d.can_review(current_user)] \
        if application.possible_duplicate else []
    # It can hold lived-experience detail: every staff view is logged, as vetting records are.
    services.log_view(current_user, application)
    return render_and_commit("applications/detail.html", application=application, duplicates=duplicates,
                             can_decide=application.can_decide(current_user),
                             history=application_history(application), outcome_form=forms.ReferenceOutcomeForm(),
                             accept_form=forms.AcceptForm(), action_form=forms.ActionForm())


def _to_detail(application: Application):
    return redirect(url_for("applications.detail", application_id=application.id))


def _action_note() -> str | None:
    """The optional note sent with a step, or None (with the reason flashed) when it is not acceptable."""
    form = forms.ActionForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return None
    return form.note.data or ""


def _noted_step(application_id: int, service, done: str):
    """A step that takes an optional note (why): run it, or say why the note cannot be kept."""
    application = get_application_or_404(application_id)
    note = _action_note()
    if note is not None:
        perform(service, application, current_user, note).flash(done)
    return _to_detail(application)


@bp.route("/applications/<int:application_id>/start-review", methods=["POST"])
@roles_required(*REVIEWERS)
def start_review(application_id):
    """Pick the application up for review."""
    return _noted_step(application_id, services.start_review, "You are reviewing this application.")


@bp.route("/applications/<int:application_id>/references", methods=["POST"])
@roles_required(*REVIEWERS)
def request_references(application_id):
    """E-mail both referees their links."""
    return _noted_step(application_id, services.request_references,
                       "References requested. Each referee has been e-mailed a link.")


@bp.route("/applications/<int:application_id>/references/<int:referee_id>/chase", methods=["POST"])
@roles_required(*REVIEWERS)
def chase_reference(application_id, referee_id):
    """Send a referee a reminder with a fresh link."""
    application = get_application_or_404(application_id)
    referee = get_referee_or_404(application, referee_id)
    perform(services.chase_reference, referee, current_user).flash(f"Reminder sent to {referee.name}.")
    return _to_detail(application)


@bp.route("/applications/<int:application_id>/references/<int:referee_id>/outcome", methods=["POST"])
@roles_required(*REVIEWERS)
def reference_outcome(application_id, referee_id):
    """Record whether a received reference is satisfactory."""
    application = get_application_or_404(application_id)
    referee = get_referee_or_404(application, referee_id)
    form = forms.ReferenceOutcomeForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("applications.detail", application_id=application.id))
    perform(services.record_reference_outcome, referee, form.satisfactory.data == "yes", form.note.data or "",
            current_user).flash(f"Reference from {referee.name} recorded.")
    return _to_detail(application)


@bp.route("/applications/<int:application_id>/chat/book", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def book_chat(application_id):
    """Book the informal chat (phone first is fine)."""
    application = get_application_or_404(application_id)
    form = forms.BookChatForm()
    if form.validate_on_submit():
        perform(services.book_chat, application, form.day.data, form.note.data,
                current_user).flash("Chat booked. The applicant has been e-mailed.")
        return _to_detail(application)
    return render_template("applications/chat_book.html", application=application, form=form)


@bp.route("/applications/<int:application_id>/chat/record", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def record_chat(application_id):
    """Record the informal chat: date, outcome and notes."""
    application = get_application_or_404(application_id)
    form = forms.RecordChatForm()
    if form.validate_on_submit():
        perform(services.record_chat, application, form.held_on.data, form.outcome.data, form.notes.data,
                current_user).flash("Chat recorded.")
        return _to_detail(application)
    return render_template("applications/chat_record.html", application=application, form=form)


@bp.route("/applications/<int:application_id>/accept", methods=["POST"])
@roles_required(*REVIEWERS)
def accept(application_id):
    """Accept: the applicant becomes a volunteer and starts onboarding."""
    application = get_application_or_404(application_id)
    form = forms.AcceptForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("applications.detail", application_id=application.id))
    perform(services.accept_application, application, current_user,
            form.note.data or "").flash(f"{application.name} is now a volunteer. We have e-mailed them.")
    return _to_detail(application)


@bp.route("/applications/<int:application_id>/decline", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def decline(application_id):
    """Decline with a reason and a note; the applicant gets a kind e-mail."""
    application = get_application_or_404(application_id)
    if not application.can_decide(current_user):
        flash(services.not_decider_message(application), "error")
        return redirect(url_for("applications.detail", application_id=application.id))
    form = forms.DeclineForm()
    if form.validate_on_submit():
        perform(services.decline_application, application, form.reason.data, form.note.data,
                current_user).flash("Application declined. We have e-mailed the applicant.")
        return _to_detail(application)
    return render_template("applications/decline.html", application=application, form=form)
