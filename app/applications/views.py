"""The applicant's side: the public page, the application steps, the status page, and the referee's form."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.actions import perform
from app.applications import forms, services
from app.applications.models import Application
from app.applications.rules import TERMINAL, Action, Status, policy
from app.auth.models import Role
from app.db_types import utcnow
from app.navigation import register_nav
from app.permissions import public, roles_required

bp = Blueprint("applications", __name__)
register_nav("Your application", "applications.mine", Role.APPLICANT, order=10)

STEP_FORMS = {
    "about-you": (forms.AboutYouForm, "About you"),
    "where-and-when": (forms.WhereWhenForm, "Where and when"),
    "experience": (forms.ExperienceForm, "About your experience"),
    "referees": (forms.RefereesForm, "Your referees"),
    "consents": (forms.ConsentsForm, "Agreements"),
}


@bp.app_context_processor
def inject_policy():
    return {"applications_policy": policy(), "ApplicationStatus": Status}


@bp.app_template_filter("application_label")
def application_label(value: str, kind: str) -> str:
    """{{ value | application_label("availability") }}: the words for a stored policy choice."""
    return policy().label(kind, value)


@bp.app_template_filter("application_of")
def application_of(user):
    """{{ current_user | application_of }}: the person's own application, or None."""
    return services.application_for(user)


@bp.app_template_filter("open_applications_in_areas")
def open_applications_in_areas(user) -> int:
    """{{ current_user | open_applications_in_areas }}: applications waiting in the person's areas."""
    return services.open_count_in_areas(user)


@bp.app_template_filter("with_change_link")
def with_change_link(row: dict, step: str, what: str | None = None) -> dict:
    """Add a 'Change' link to a summary-list row, pointing at an application step."""
    text = what or row["key"]["text"]
    link = {"href": url_for("applications.step", step=step), "text": "Change", "visuallyHiddenText": text.lower()}
    return {**row, "actions": {"items": [link]}}


def own_application_or_404() -> Application:
    """The signed-in applicant's own application (nobody else's is reachable from here)."""
    application = services.application_for(current_user)
    if application is None:
        abort(404)
    return application


@bp.route("/become-a-peer-mentor")
@public
def become():
    """What being a peer mentor involves, and how to apply."""
    return render_template("applications/become.html")


@bp.route("/apply")
@roles_required(Role.APPLICANT)
def mine():
    """Your application: the task list while it is a draft, then where it is and what happens next."""
    application = services.application_for(current_user)
    if application is None or application.is_editable:
        return render_template("applications/task_list.html", application=application, steps=STEP_FORMS,
                               missing=services.missing_steps(application) if application else list(STEP_FORMS))
    return render_template("applications/status.html", application=application)


def _step_form(step: str, application: Application | None):
    form_cls, _ = STEP_FORMS[step]
    kwargs = {}
    if step == "referees":
        kwargs = {"applicant_names": [current_user.full_name, getattr(application, "full_name", None)],
                  "applicant_emails": [current_user.email, getattr(application, "email", None)],
                  "applicant_phones": [getattr(application, "phone", None)]}
    if request.method == "POST":
        form = form_cls(**kwargs)
    elif application is None:
        form = form_cls(data={"full_name": current_user.full_name, "email": current_user.email}, **kwargs)
    elif step == "where-and-when":
        form = form_cls(obj=application, data={"areas": [a.id for a in application.areas]})
    elif step == "referees":
        data = {f"{p}_{k}": getattr(r, "relationship_kind" if k == "relationship" else k)
                for p, r in zip(("one", "two"), application.referees, strict=False)
                for k in ("name", "relationship", "email", "phone")}
        form = form_cls(data=data, **kwargs)
    else:
        form = form_cls(obj=application)
    if step == "where-and-when":
        form.areas.choices = [(a.id, a.label) for a in services.active_areas()]
    return form


@bp.route("/apply/<step>", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def step(step):
    """One step of the application; it saves as a draft each time."""
    if step not in STEP_FORMS:
        abort(404)
    application = services.application_for(current_user)
    if application is not None and not application.is_editable:
        flash("Your application has been sent, so it can no longer be changed.", "error")
        return redirect(url_for("applications.mine"))
    form = _step_form(step, application)
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("submit", "csrf_token")}
        if step == "where-and-when":
            chosen = set(values["areas"])
            values["areas"] = [a for a in services.active_areas() if a.id in chosen]
        # A double tap on "Save" races itself: the second save runs again on the draft the first one made.
        if perform(services.save_answers, current_user, step, values, retry=True).flash(
                f"'{STEP_FORMS[step][1]}' is saved. You can come back to it at any time."):
            return redirect(url_for("applications.mine"))
    return render_template(f"applications/step_{step.replace('-', '_')}.html", form=form, title=STEP_FORMS[step][1])


@bp.route("/apply/check-answers", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def check_answers():
    """Check everything, then send the application."""
    application = own_application_or_404()
    if not application.is_editable:
        return redirect(url_for("applications.mine"))
    form = forms.SubmitForm()
    problem = None
    if form.validate_on_submit():
        outcome = perform(services.submit_application, application)
        if outcome:
            return redirect(url_for("applications.submitted"))
        problem = outcome.message
    return render_template("applications/check_answers.html", application=application, form=form, problem=problem,
                           missing=services.missing_steps(application), steps=STEP_FORMS)


@bp.route("/apply/sent")
@roles_required(Role.APPLICANT)
def submitted():
    """Confirmation that the application has been sent."""
    application = own_application_or_404()
    if application.status == Status.DRAFT:
        return redirect(url_for("applications.mine"))
    return render_template("applications/submitted.html", application=application)


@bp.route("/apply/again", methods=["POST"])
@roles_required(Role.APPLICANT)
def apply_again():
    """Start a new application after a decline or a withdrawal."""
    form = forms.ActionForm()
    if form.validate_on_submit():
        perform(services.apply_again, current_user).flash(
            "We have started a new application with your earlier answers. Check each section and save it.")
    return redirect(url_for("applications.mine"))


@bp.route("/apply/withdraw", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def withdraw():
    """Withdraw your application (at any point before it is accepted)."""
    application = own_application_or_404()
    if Action.WITHDRAW not in application.allowed:
        flash(f"Your application is {application.status.label.lower()}, so it cannot be withdrawn.", "error")
        return redirect(url_for("applications.mine"))
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        perform(services.withdraw_application, application, current_user, form.reason.data or "").flash(
            "You have withdrawn your application. Thank you for your interest.")
        return redirect(url_for("applications.mine"))
    return render_template("applications/withdraw.html", application=application, form=form)


@bp.route("/reference/<token>", methods=["GET", "POST"])
@public
def reference(token):
    """A referee's short reference form, reached only through the link we e-mailed them."""
    referee = services.referee_for_token(token)
    if referee is None:
        return render_template("applications/reference_invalid.html", reason="unknown"), 404
    now = utcnow()
    if referee.application.status in TERMINAL:
        return render_template("applications/reference_invalid.html", reason="closed"), 410
    if referee.received_at is not None:
        return render_template("applications/reference_invalid.html", reason="used"), 410
    if not referee.link_usable(now):
        return render_template("applications/reference_invalid.html", reason="expired"), 410
    form = forms.ReferenceForm()
    if form.validate_on_submit():
        answers = {k: form.data[k] for k in ("known_for", "strengths", "concerns")}
        outcome = perform(services.submit_reference, referee, answers, now)
        if not outcome:
            return render_template("applications/reference_invalid.html", reason="used"), 410
        return render_template("applications/reference_thanks.html", referee=referee)
    return render_template("applications/reference_form.html", form=form, referee=referee)


from app.applications import views_staff  # noqa: E402,F401  (registers the coordinators' routes on bp)
