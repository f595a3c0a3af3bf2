"""Readiness pages for volunteers: "Your path to mentoring", the agreement, the emergency contact, a pause."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from app.actions import perform
from app.auth.models import Role
from app.extensions import db
from app.navigation import register_nav
from app.permissions import roles_required
from app.readiness import forms, queries, services
from app.readiness.cli import readiness_cli
from app.readiness.models import EmergencyContact, Standing
from app.readiness.policy import current_policy
from app.timefmt import today_london

bp = Blueprint("readiness", __name__, url_prefix="/readiness")
bp.record_once(lambda state: state.app.cli.add_command(readiness_cli))
register_nav("Your path", "readiness.path", Role.VOLUNTEER, order=29)


@bp.app_template_global()
def readiness_home_for(user) -> dict:
    """For the home page: the signed-in volunteer's gates today and their standing."""
    return {"readiness": queries.readiness_of(user), "standing": queries.standing_of(user)}


@bp.app_template_global()
def gate_link(outcome) -> str | None:
    """Where the volunteer goes to do the next step of a gate (None when it is someone else's to do)."""
    rule = outcome.gate.rule
    if outcome.state.value == "passed" or outcome.waiting_on not in ("you", "coordinator"):
        return None
    if rule == "course":
        return url_for("training.course", code=outcome.gate.course)
    if rule == "agreement":
        return url_for("readiness.agreement")
    if rule == "emergency_contact":
        return url_for("readiness.emergency_contact")
    if rule in ("dbs", "police_vetting"):
        return url_for("vetting.mine")
    return None


@bp.app_template_filter("paragraphs")
def paragraphs(text: str) -> Markup:
    """The agreement's plain text (Markdown-ish) as GOV.UK headings, lists and paragraphs, escaped."""
    html, items = [], []

    def flush_list():
        if items:
            html.append(Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(
                Markup("").join(Markup("<li>{}</li>").format(i) for i in items)))
            items.clear()

    for block in text.split("\n"):
        line = block.strip()
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush_list()
        if line.startswith("## "):
            html.append(Markup('<h3 class="govuk-heading-s">{}</h3>').format(line[3:]))
        elif line.startswith("# "):
            html.append(Markup('<h2 class="govuk-heading-m">{}</h2>').format(line[2:]))
        elif line:
            html.append(Markup('<p class="govuk-body">{}</p>').format(escape(line)))
    flush_list()
    return Markup("\n").join(html)


@bp.route("")
@roles_required(Role.VOLUNTEER)
def path():
    """Your path to mentoring: every gate in order, its state, and what to do next."""
    today = today_london()
    return render_template("readiness/path.html", readiness=queries.readiness_of(current_user, today),
                           standing=queries.standing_of(current_user), today=today, form=forms.ConfirmForm())


@bp.route("/agreement", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def agreement():
    """Read and sign the current volunteer agreement."""
    policy = current_policy()
    form = forms.AgreementForm()
    signed = queries.readiness_of(current_user).outcome("agreement")
    if form.validate_on_submit():
        outcome = perform(services.sign_agreement, current_user, form.typed_name.data)
        if outcome.flash("Thank you. You have signed the volunteer agreement."):
            return redirect(url_for("readiness.path"))
    return render_template("readiness/agreement.html", form=form, policy=policy, text=policy.agreement_text(),
                           signed=signed), 400 if form.errors else 200


@bp.route("/emergency-contact", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def emergency_contact():
    """Add or change the person to call if something happens to you while volunteering."""
    contact = db.session.scalar(select(EmergencyContact).where(EmergencyContact.volunteer_id == current_user.id))
    form = forms.EmergencyContactForm(obj=contact)
    if form.validate_on_submit():
        outcome = perform(services.save_emergency_contact, current_user, form.name.data, form.relationship_kind.data,
                          form.phone.data, retry=True)
        if outcome.flash("Emergency contact saved."):
            return redirect(url_for("readiness.path"))
    return render_template("readiness/emergency_contact.html", form=form), 400 if form.errors else 200


@bp.route("/pause", methods=["POST"])
@roles_required(Role.VOLUNTEER)
def pause():
    """Take a break (a sabbatical): you are not released while paused."""
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if queries.standing_of(current_user) == Standing.PAUSED:
        perform(services.end_pause, current_user, current_user).flash("Welcome back. Your coordinator will release you again.")
    else:
        perform(services.pause_volunteer, current_user, current_user).flash("Your break is recorded.")
    return redirect(url_for("readiness.path"))


from app.readiness import views_pairing, views_staff  # noqa: E402,F401  (register the staff and pairing pages on bp)
