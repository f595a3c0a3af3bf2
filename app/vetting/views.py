"""Vetting pages: the coordinators' work list and records, and each volunteer's own plain-words status."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.actions import perform, render_and_commit
from app.auth.models import Role, User
from app.extensions import db
from app.navigation import register_nav
from app.permissions import person_in_scope, roles_required
from app.timefmt import today_london
from app.vetting import forms, queries, rules, rules_update_service, services
from app.vetting.cli import vetting_cli
from app.vetting.enums import (
    DbsLevel,
    DbsOutcome,
    Decision,
    IdRoute,
    JoinRoute,
    StatusOutcome,
    Workforce,
)
from app.vetting.models import (
    DbsCheck,
    DbsConfirmation,
    DbsDecision,
    IdentityCheck,
    PoliceVetting,
    StatusCheck,
)
from app.vetting.policy import current_policy
from app.vetting.rules_summaries import dbs_step, declaration_step, nppv_step, update_service_step

bp = Blueprint("vetting", __name__, url_prefix="/vetting", cli_group=None)
bp.cli.add_command(vetting_cli)
STAFF = (Role.COORDINATOR, Role.MANAGER)
register_nav("Vetting", "vetting.work_list", *STAFF, order=30)
register_nav("Your checks", "vetting.mine", Role.VOLUNTEER, order=30)


@bp.app_template_global()
def vetting_gate_for(user) -> rules.GateResult:
    """For the home cards: the signed-in volunteer's gate today."""
    return services.vetting_gate(user)


# ---------------------------------------------------------------- loaders (404 for unknown ids)


def _not_own(person: User) -> User:
    """Separation of duties: staff never work on their own vetting record (403); they see it under "Your checks"."""
    if person.id == current_user.id:
        abort(403)
    return person


def get_volunteer_or_404(user_id: int) -> User:
    """A volunteer, or someone with vetting records (a declined volunteer keeps their history)."""
    person = db.get_or_404(User, user_id)
    if not person.has_role(Role.VOLUNTEER) and not db.session.scalar(
            select(DbsCheck.id).where(DbsCheck.volunteer_id == person.id).limit(1)):
        abort(404)
    return _in_scope_or_404(person)


def _in_scope_or_404(person: User) -> User:
    """Coordinators see the vetting of people in the areas they cover, managers everyone (others: not found);
    and nobody works on their own record (403)."""
    if person.id != current_user.id and not person_in_scope(current_user, person):
        abort(404)
    return _not_own(person)


def get_check_or_404(check_id: int) -> tuple[DbsCheck, User]:
    """A DBS check and the person it belongs to."""
    check = db.get_or_404(DbsCheck, check_id)
    return check, _in_scope_or_404(db.session.get(User, check.volunteer_id))


def get_decision_or_404(decision_id: int) -> tuple[DbsDecision, User]:
    """A decision on a DBS check and the person it is about."""
    decision = db.get_or_404(DbsDecision, decision_id)
    return decision, _in_scope_or_404(db.session.get(User, decision.check.volunteer_id))


def get_police_or_404(record_id: int) -> tuple[PoliceVetting, User]:
    """A police vetting application and the person it belongs to."""
    record = db.get_or_404(PoliceVetting, record_id)
    return record, _in_scope_or_404(db.session.get(User, record.volunteer_id))


def _form_page(form, volunteer: User, title: str, problems=(), obj=None, **context):
    """The shared form page (its view logged); when the record's state forbids the action, reasons replace the form."""
    problems = [p for p in problems if p]
    status = 409 if problems and request.method == "POST" else 400 if form.errors else 200
    # "form", not which form: a view of the decision page in the audit log would tell admins of a disclosure.
    services.log_view(current_user, volunteer, obj=obj, page="form")
    return render_and_commit("vetting/form.html", form=form, volunteer=volunteer, title=title,
                             problems=problems,
                             **context), status


# ---------------------------------------------------------------- staff pages


@bp.route("")
@roles_required(*STAFF)
def work_list():
    """Volunteers whose vetting needs something doing, by list and area (who was shown is logged)."""
    policy, today = current_policy(), today_london()
    form = forms.WorkListFilterForm(request.args)
    data = queries.build(form, policy, today, current_user)
    services.log_list_view(current_user, [row.volunteer for row in data["rows"]], show=data["show"],
                           area_id=data["area_id"], page=data["pager"].page)
    return render_and_commit("vetting/work_list.html", form=form, today=today, **data)


@bp.route("/people/<int:user_id>")
@roles_required(*STAFF)
def record(user_id):
    """One volunteer's vetting: every DBS check, decision, status check and police vetting (each view is logged)."""
    volunteer = get_volunteer_or_404(user_id)
    checks = db.session.scalars(
        select(DbsCheck).where(DbsCheck.volunteer_id == volunteer.id).order_by(DbsCheck.id.desc())
        .options(selectinload(DbsCheck.decisions).joinedload(DbsDecision.decided_by),
                 selectinload(DbsCheck.decisions).joinedload(DbsDecision.confirmation).joinedload(DbsConfirmation.confirmed_by),
                 selectinload(DbsCheck.status_checks).joinedload(StatusCheck.checked_by),
                 joinedload(DbsCheck.original_seen_by))).all()
    police = db.session.scalars(select(PoliceVetting).where(PoliceVetting.volunteer_id == volunteer.id)
                                .order_by(PoliceVetting.id.desc())).all()
    identity = db.session.scalars(select(IdentityCheck).where(IdentityCheck.volunteer_id == volunteer.id)
                                  .order_by(IdentityCheck.id.desc())).all()
    declaration = services.latest_declaration(volunteer)
    policy, today = current_policy(), today_london()
    gate = rules.evaluate_gate([c.facts() for c in checks], [p.facts() for p in police], policy, today)
    services.log_view(current_user, volunteer, page="record")
    return render_and_commit("vetting/record.html", volunteer=volunteer, checks=checks, police=police,
                             identity=identity, gate=gate, policy=policy, today=today, rules=rules,
                             declaration=declaration, sees_declaration=person_in_scope(current_user, volunteer),
                             is_manager=current_user.has_role(Role.MANAGER))


@bp.route("/people/<int:user_id>/dbs/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_dbs(user_id):
    """Start a DBS check or recheck."""
    volunteer = get_volunteer_or_404(user_id)
    policy = current_policy()
    form = forms.DbsRequestForm(data={"level": policy.dbs_level.value, "workforce": policy.dbs_workforce.value,
                                      "volunteer_check": "yes"} if request.method == "GET" else None, policy=policy)
    if form.validate_on_submit():
        outcome = perform(services.request_dbs_check, volunteer, DbsLevel(form.level.data),
                          Workforce(form.workforce.data), form.volunteer_check.data == "yes",
                          form.requested_on.data, current_user)
        return _saved(outcome, volunteer, "DBS check started.", form, obj=volunteer)
    return _form_page(form, volunteer, "Start a DBS check")


@bp.route("/dbs/<int:check_id>/submitted", methods=["GET", "POST"])
@roles_required(*STAFF)
def dbs_submitted(check_id):
    """Record when the DBS application was submitted."""
    check, volunteer = get_check_or_404(check_id)
    form = forms.DbsSubmittedForm(check=check)
    if form.validate_on_submit():
        outcome = perform(services.record_dbs_submission, check, form.submitted_on.data, current_user)
        return _saved(outcome, volunteer, "Date submitted saved.", form, obj=check)
    return _form_page(form, volunteer, "When was the DBS application submitted?",
                      [check.problem_with("submission")], obj=check)


@bp.route("/dbs/<int:check_id>/certificate", methods=["GET", "POST"])
@roles_required(*STAFF)
def dbs_result(check_id):
    """Record the DBS certificate: number, date of issue, clear or information disclosed."""
    check, volunteer = get_check_or_404(check_id)
    form = forms.DbsResultForm(check=check)
    if form.validate_on_submit():
        outcome = perform(services.record_dbs_result, check, form.certificate_number.data,
                          form.issued_on.data, DbsOutcome(form.outcome.data), current_user)
        return _saved(outcome, volunteer, "Certificate saved.", form, obj=check)
    return _form_page(form, volunteer, "Record the DBS certificate", [check.problem_with("result")],
                      obj=check,
                      hint="Do not record or upload what the certificate says: only whether it is clear.")


@bp.route("/dbs/<int:check_id>/decision", methods=["GET", "POST"])
@roles_required(*STAFF)
def dbs_decision(check_id):
    """Record a risk-assessed decision on a certificate with information, or after a changed status."""
    check, volunteer = get_check_or_404(check_id)
    form = forms.DecisionForm(policy=current_policy())
    if form.validate_on_submit():
        conditions = form.conditions.data if "conditions" in form else []
        outcome = perform(services.record_dbs_decision, check, Decision(form.decision.data),
                          form.rationale.data, current_user, conditions=conditions or [])
        return _saved(outcome, volunteer, "Decision saved.", form, obj=check)
    return _form_page(form, volunteer, "Risk-assessed decision", [check.problem_with("decision")], obj=check,
                      check=check,
                      warning="Declining ends this person's onboarding. They will be sent a kind e-mail.")


@bp.route("/dbs/<int:check_id>/update-service", methods=["GET", "POST"])
@roles_required(*STAFF)
def update_service(check_id):
    """Record the Update Service subscription, consent to status checks and the original certificate seen."""
    check, volunteer = get_check_or_404(check_id)
    form = forms.UpdateServiceForm(obj=check if request.method == "GET" else None, check=check)
    if form.validate_on_submit():
        details = {name: getattr(form, name).data or None for name in services.UPDATE_SERVICE_FIELDS}
        details["join_route"] = JoinRoute(details["join_route"]) if details["join_route"] else None
        outcome = perform(services.record_update_service, check, details, current_user)
        return _saved(outcome, volunteer, "Update Service details saved.", form, obj=check)
    return _form_page(form, volunteer, "DBS Update Service", [check.problem_with("update_service")],
                      obj=check)


@bp.route("/dbs/<int:check_id>/status-check", methods=["GET", "POST"])
@roles_required(*STAFF)
def status_check(check_id):
    """Record an Update Service status check, if consent, sighting, level and workforce allow one."""
    check, volunteer = get_check_or_404(check_id)
    policy = current_policy()
    problems = rules_update_service.status_check_problems(check.facts(), policy,
                                           identity_checked=services.identity_checked(volunteer, today_london()))
    form = forms.StatusCheckForm(check=check, policy=policy)
    if not problems and form.validate_on_submit():
        outcome = perform(services.record_status_check, check, form.checked_on.data,
                          StatusOutcome(form.outcome.data), current_user, name_matches=form.name_matches.data == "yes")
        return _saved(outcome, volunteer, "Status check saved.", form, obj=check)
    return _form_page(form, volunteer, "Update Service status check", problems, obj=check)


@bp.route("/decisions/<int:decision_id>/confirm", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def confirm_decision(decision_id):
    """A manager, not the one who approved, confirms an approval of a check that disclosed information."""
    decision, volunteer = get_decision_or_404(decision_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        outcome = perform(services.confirm_dbs_decision, decision, current_user)
        return _saved(outcome, volunteer, "Approval confirmed.", form, obj=decision.check)
    problems = ["This decision does not need a confirmation." if not decision.facts().awaiting_confirmation else None,
                "You made this decision, so another manager must confirm it."
                if decision.decided_by_id == current_user.id else None]
    return _form_page(form, volunteer, "Confirm a risk-assessed approval", problems, obj=decision.check,
                      check=decision.check, decision=decision, conditions=current_policy().condition_labels,
                      hint="Read the reasons on the record first. Confirm only if you agree the approval is safe.")


@bp.route("/people/<int:user_id>/identity/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_identity(user_id):
    """Record an identity check: the route, the document types examined in the original, who and when."""
    volunteer = get_volunteer_or_404(user_id)
    form = forms.IdentityCheckForm()
    if form.validate_on_submit():
        outcome = perform(services.record_identity_check, volunteer, IdRoute(form.route.data), form.documents.data,
                          form.names_confirmed.data == "yes", form.addresses_confirmed.data == "yes",
                          form.checked_on.data, current_user)
        return _saved(outcome, volunteer, "Identity check saved.", form, obj=volunteer)
    return _form_page(form, volunteer, "Record an identity check",
                      hint="Examine the original documents in person. Never take or keep a copy or a scan.")


def _saved(outcome, volunteer: User, message: str, form, obj=None):
    """Back to the record when saved; an illegal transition (or a lost race) is explained on the form page."""
    if not outcome:
        return _form_page(form, volunteer, "This cannot be saved", [outcome.message], obj=obj)
    flash(message)
    return redirect(url_for("vetting.record", user_id=volunteer.id))


# ---------------------------------------------------------------- the volunteer's own page


@bp.route("/mine/declaration", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def declaration():
    """Your confidential self-declaration of criminal records, worded to the DBS filtering rules."""
    form = forms.SelfDeclarationForm()
    if form.validate_on_submit():
        outcome = perform(services.make_self_declaration, current_user, form.has_something.data == "yes",
                          form.details.data)
        if outcome:
            flash("Thank you. Your declaration has been sent to the people deciding on your vetting.")
            return redirect(url_for("vetting.mine"))
        flash(outcome.message)
    policy = current_policy()
    return render_template("vetting/declaration.html", form=form, policy=policy,
                           latest=services.latest_declaration(current_user)), 400 if form.errors else 200


@bp.route("/mine")
@roles_required(Role.VOLUNTEER)
def mine():
    """Your own checks in plain words: what is done and what is needed from you."""
    policy, today = current_policy(), today_london()
    records = services.load_records([current_user.id]).get(current_user.id, ([], []))
    checks, police = services.facts_for(records)
    gate = rules.evaluate_gate(checks, police, policy, today)
    steps = [declaration_step(services.latest_declaration(current_user)), dbs_step(checks, policy, today),
             update_service_step(checks, today), nppv_step(police, policy, today)]
    return render_template("vetting/mine.html", gate=gate, steps=[s for s in steps if s])


from app.vetting import views_police  # noqa: E402, F401  (registers the police vetting pages on `bp`)
