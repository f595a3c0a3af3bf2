"""Police vetting pages on the vetting blueprint: the application to the force, its answer, and aftercare."""
from flask import request
from flask_login import current_user

from app.actions import perform
from app.auth.models import User
from app.extensions import db
from app.permissions import roles_required
from app.vetting import forms, services_police
from app.vetting.enums import ChangeKind, NppvLevel, NppvOutcome, ReviewOutcome
from app.vetting.models import NppvChange
from app.vetting.policy import current_policy
from app.vetting.views import (
    STAFF,
    _form_page,
    _in_scope_or_404,
    _saved,
    bp,
    get_police_or_404,
    get_volunteer_or_404,
)


@bp.route("/people/<int:user_id>/police/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_police(user_id):
    """Record a police vetting (NPPV) application sent to the force."""
    volunteer = get_volunteer_or_404(user_id)
    form = forms.PoliceVettingForm(data={"level": current_policy().nppv_level.value}
                                   if request.method == "GET" else None)
    if form.validate_on_submit():
        outcome = perform(services_police.submit_police_vetting, volunteer, NppvLevel(form.level.data),
                          form.force_reference.data, form.submitted_on.data, current_user)
        return _saved(outcome, volunteer, "Police vetting saved.", form, obj=volunteer)
    return _form_page(form, volunteer, "Record police vetting")


@bp.route("/police/<int:record_id>/result", methods=["GET", "POST"])
@roles_required(*STAFF)
def police_result(record_id):
    """Record the force's answer: granted, refused, or a later withdrawal."""
    record, volunteer = get_police_or_404(record_id)
    form = forms.PoliceOutcomeForm(record=record)
    final = None if record.next_outcomes else f"This police vetting was {record.outcome.label.lower()}: it cannot change."
    if form.validate_on_submit():
        outcome = perform(services_police.record_police_outcome, record, NppvOutcome(form.outcome.data),
                          form.outcome_on.data, current_user, expires_on=form.expires_on.data)
        return _saved(outcome, volunteer, "Police vetting result saved.", form, obj=record)
    return _form_page(form, volunteer, "Police vetting result", [final], obj=record)


@bp.route("/police/<int:record_id>/changes/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def police_change(record_id):
    """Record a change of circumstances the volunteer reported: the clearance goes back to the force for review."""
    record, volunteer = get_police_or_404(record_id)
    form = forms.NppvChangeForm(record=record)
    problem = None if record.outcome == NppvOutcome.GRANTED else "Only a granted clearance can be sent for review."
    if not problem and form.validate_on_submit():
        outcome = perform(services_police.report_nppv_change, record, ChangeKind(form.kind.data),
                          form.reported_on.data, current_user)
        return _saved(outcome, volunteer, "Change of circumstances saved.", form, obj=record)
    return _form_page(form, volunteer, "Change of circumstances", [problem], obj=record)


@bp.route("/police-changes/<int:change_id>/review", methods=["GET", "POST"])
@roles_required(*STAFF)
def police_review(change_id):
    """Record the force's review of a reported change: the clearance continues or is withdrawn."""
    change = db.get_or_404(NppvChange, change_id)
    volunteer = _in_scope_or_404(db.session.get(User, change.vetting.volunteer_id))
    form = forms.NppvReviewForm(change=change)
    problem = "This change has already been reviewed." if change.reviewed_on else None
    if not problem and form.validate_on_submit():
        outcome = perform(services_police.record_nppv_review, change, ReviewOutcome(form.outcome.data),
                          form.reviewed_on.data, current_user)
        return _saved(outcome, volunteer, "Review saved.", form, obj=change.vetting)
    return _form_page(form, volunteer, "The force's review of a change", [problem], obj=change.vetting)
