"""Expenses pages for volunteers: claims, journeys and costs, saved journeys, the driver's confirmation, receipts."""
from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.actions import perform
from app.auth.models import Role
from app.expenses import queries, rules, services, services_lines
from app.expenses.cli import expenses_cli
from app.expenses.forms import CostForm, DriverForm, JourneyForm, SavedJourneyForm
from app.expenses.models import LineKind
from app.expenses.policy import policy
from app.expenses.services_receipts import receipt_path
from app.extensions import db
from app.forms import ActionForm
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number
from app.permissions import roles_required
from app.timefmt import today_london

bp = Blueprint("expenses", __name__, url_prefix="/expenses")
bp.record_once(lambda state: state.app.cli.add_command(expenses_cli))
register_nav("Expenses", "expenses.index", Role.VOLUNTEER, order=40)

CLAIMANTS = (Role.VOLUNTEER,)
VIEWERS = (Role.VOLUNTEER, Role.COORDINATOR, Role.MANAGER)


@bp.route("")
@roles_required(*CLAIMANTS)
def index():
    """Your claims, saved journeys and this tax year's driver confirmation."""
    pager = db.paginate(queries.my_claims(current_user), page=page_number(), per_page=20, error_out=False)
    year = rules.tax_year_of(today_london())
    miles = queries.year_miles_for([current_user.id], year)[current_user.id]
    return render_template("expenses/index.html", pager=pager, pagination=govuk_pagination(pager, "expenses.index"),
                           journeys=queries.my_saved_journeys(current_user), action=ActionForm(), year=year,
                           driver=queries.driver_year(current_user, year), miles=miles, pounds=rules.pounds,
                           warning=rules.near_threshold(miles, policy().warn_at_miles, policy().threshold_on(today_london())))


@bp.route("/claims/new", methods=["POST"])
@roles_required(*CLAIMANTS)
def start_claim():
    """Open a new draft claim, or go back to the one you are writing."""
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(services.start_claim, current_user, retry=True).flash()
    return redirect(url_for("expenses.claim", claim_id=outcome.value.id) if outcome else url_for("expenses.index"))


@bp.route("/claims/<int:claim_id>")
@roles_required(*VIEWERS)
def claim(claim_id):
    """A claim line by line, with the calculation; actions for the claimant or the approver."""
    return render_claim(queries.get_claim_or_404(claim_id, current_user))


def render_claim(item, decision_form=None):
    """The claim page; `decision_form` keeps an approver's typed decision when it needs correcting."""
    context = views_staff.decision_context(item)
    if decision_form is not None:
        context["decision_form"] = decision_form
    return render_template("expenses/claim.html", claim=item, action=ActionForm(), form=context["decision_form"],
                           pounds=rules.pounds,
                           journeys=queries.my_saved_journeys(current_user) if item.can_edit(current_user) else [],
                           missing_years=services.missing_driver_years(item) if item.editable else [],
                           LineKind=LineKind, **context)


def _journey_form():
    today = today_london()
    return JourneyForm(today=today, passengers=services_lines.fellow_volunteers(current_user),
                       sessions=queries.sessions_for_purpose(current_user, today - timedelta(days=400), today),
                       streams=policy().streams.values())


def _editable_claim(claim_id):
    item = queries.get_claim_or_404(claim_id, current_user)
    if not item.can_edit(current_user):
        abort(403)
    return item


@bp.route("/claims/<int:claim_id>/journeys", methods=["GET", "POST"])
@roles_required(*CLAIMANTS)
def add_journey(claim_id):
    """Add a mileage journey (a saved journey fills the form in: pick the date and add)."""
    item = _editable_claim(claim_id)
    form = _journey_form()
    saved = request.args.get("saved", type=int)
    if request.method == "GET":
        form.stream.data = policy().default_stream
        if saved:
            journey = queries.get_saved_journey_or_404(saved, current_user)
            form.from_place.data, form.to_place.data = journey.from_place, journey.to_place
            form.miles.data, form.vehicle.data = str(journey.miles), journey.vehicle.value
        form.spent_on.data = form.spent_on.data or today_london()
    if form.validate_on_submit():
        outcome = perform(services_lines.add_journey, item, current_user, _journey_from(form), save_as=form.save_as.data)
        if outcome.flash("Journey added."):
            return redirect(url_for("expenses.claim", claim_id=item.id))
    return render_template("expenses/journey_form.html", claim=item, form=form)


def _journey_from(form) -> services_lines.Journey:
    """What the volunteer typed, with the passengers and session looked up among the ones they were offered."""
    sessions = {s.id: s for s in queries.sessions_for_purpose(current_user, form.spent_on.data, form.spent_on.data)}
    chosen = set(form.passengers.data or [])
    return services_lines.Journey(
        spent_on=form.spent_on.data, from_place=form.from_place.data, to_place=form.to_place.data,
        miles=form.miles.miles, vehicle=rules.Vehicle(form.vehicle.data),
        passengers=[p for p in services_lines.fellow_volunteers(current_user) if p.id in chosen],
        training_session=sessions.get(form.session.data), stream=form.stream.data,
        description=form.description.data or "")


@bp.route("/claims/<int:claim_id>/costs", methods=["GET", "POST"])
@roles_required(*CLAIMANTS)
def add_cost(claim_id):
    """Add a public transport, parking or other cost with its receipt."""
    item = _editable_claim(claim_id)
    form = CostForm(today=today_london(), streams=policy().streams.values(), max_bytes=policy().receipt_max_bytes)
    if request.method == "GET":
        form.stream.data, form.spent_on.data = policy().default_stream, today_london()
    if form.validate_on_submit():
        cost = services_lines.Cost(kind=LineKind(form.kind.data), spent_on=form.spent_on.data,
                                   description=form.description.data, pence=form.amount.pence,
                                   receipt_data=form.receipt_data, stream=form.stream.data)
        outcome = perform(services_lines.add_cost, item, current_user, cost)
        if outcome:
            return redirect(url_for("expenses.claim", claim_id=item.id))
        form.receipt.errors = [outcome.message]  # the receipt could not be kept: say so next to it
    return render_template("expenses/cost_form.html", claim=item, form=form)


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/remove", methods=["POST"])
@roles_required(*CLAIMANTS)
def remove_line(claim_id, line_id):
    """Take a journey or cost off a claim you are still writing."""
    item = queries.get_claim_or_404(claim_id, current_user)
    line = queries.get_line_or_404(item, line_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(services_lines.remove_line, line, current_user).flash("Removed.")
    return redirect(url_for("expenses.claim", claim_id=item.id))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/correct", methods=["POST"])
@roles_required(*CLAIMANTS)
def correct_line(claim_id, line_id):
    """Correct a line of an approved claim: a reversing line goes on your draft claim."""
    item = queries.get_claim_or_404(claim_id, current_user)
    line = queries.get_line_or_404(item, line_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(services_lines.reverse_line, line, current_user).flash(
        "The line is reversed on this claim. Add what it should have been, then submit the claim.")
    return redirect(url_for("expenses.claim", claim_id=outcome.value.claim_id) if outcome else
                    url_for("expenses.claim", claim_id=item.id))


@bp.route("/claims/<int:claim_id>/submit", methods=["POST"])
@roles_required(*CLAIMANTS)
def submit(claim_id):
    """Send the claim to be approved."""
    item = queries.get_claim_or_404(claim_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(services.submit_claim, item, current_user, today_london()).flash(
        "Claim submitted. We have e-mailed you a copy; a coordinator will look at it.")
    return redirect(url_for("expenses.claim", claim_id=item.id))


@bp.route("/journeys", methods=["GET", "POST"])
@roles_required(*CLAIMANTS)
def journeys():
    """Your saved journeys, and a form to add one."""
    form = SavedJourneyForm()
    if form.validate_on_submit():
        outcome = perform(services_lines.save_journey, current_user, form.name.data, form.from_place.data,
                          form.to_place.data, form.miles.miles, rules.Vehicle(form.vehicle.data))
        if outcome.flash("Journey saved."):
            return redirect(url_for("expenses.journeys"))
    return render_template("expenses/journeys.html", form=form, journeys=queries.my_saved_journeys(current_user),
                           action=ActionForm())


@bp.route("/journeys/<int:journey_id>/remove", methods=["POST"])
@roles_required(*CLAIMANTS)
def forget_journey(journey_id):
    """Remove a saved journey."""
    journey = queries.get_saved_journey_or_404(journey_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(services_lines.forget_journey, journey, current_user).flash("Saved journey removed.")
    return redirect(url_for("expenses.journeys"))


@bp.route("/driver", methods=["GET", "POST"])
@roles_required(*CLAIMANTS)
def driver():
    """Confirm, once a tax year, your licence and insurance, and declare miles driven for others.
    ?year= may name last tax year, for journeys made before 6 April and claimed after."""
    this_year = rules.tax_year_of(today_london())
    year = request.args.get("year", type=int, default=this_year)
    if year not in (this_year, this_year - 1):
        abort(404)
    existing = queries.driver_year(current_user, year)
    form = DriverForm()
    if request.method == "GET" and existing is not None:
        form.licence.data = form.insurance.data = True
        form.other_miles.data = str(existing.other_miles) if existing.other_miles_tenths else ""
    if form.validate_on_submit():
        outcome = perform(services_lines.confirm_driver, current_user, year, form.other_miles.miles or 0)
        if outcome.flash("Thank you: your licence and insurance are confirmed for this tax year."):
            claim_id = request.args.get("claim", type=int)
            return redirect(url_for("expenses.claim", claim_id=claim_id) if claim_id else url_for("expenses.index"))
    return render_template("expenses/driver.html", form=form, year=year, existing=existing,
                           label=rules.tax_year_label(year))


@bp.route("/receipts/<int:receipt_id>")
@roles_required(*VIEWERS)
def receipt(receipt_id):
    """A receipt, as a download, only for the claimant and the people who may approve the claim."""
    item = queries.get_receipt_or_404(receipt_id, current_user)
    path = receipt_path(item)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=True,
                         download_name=f"receipt-{item.id}.{item.extension}", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


from app.expenses import views_staff  # noqa: E402,F401  (registers the staff pages on bp)
