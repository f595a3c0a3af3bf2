"""Expenses pages for staff: the approval queue and decisions (coordinators and managers), and finance (managers).

There is no finance role: managers export the approved claims and mark them paid.
"""
from itertools import chain

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from app.actions import perform
from app.auth.models import Role, User
from app.csvout import csv_chunks, csv_line, safe_cell
from app.expenses import queries, rules, services, services_finance
from app.expenses.forms import DecisionForm, PaidForm
from app.expenses.models import Batch, ClaimStatus, Line
from app.expenses.policy import policy
from app.expenses.views import bp, render_claim
from app.extensions import db
from app.forms import ActionForm
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number
from app.permissions import roles_required
from app.timefmt import to_london, today_london

APPROVERS = (Role.COORDINATOR, Role.MANAGER)
FINANCE = (Role.MANAGER,)
register_nav("Expense claims", "expenses.approvals", *APPROVERS, order=41)
register_nav("Expenses finance", "expenses.finance", *FINANCE, order=42)

CSV_HEADER = ["batch", "claim", "volunteer", "volunteer_email", "date", "tax_year", "type", "details", "miles",
              "calculation", "amount", "pence", "cost_code", "funding_stream", "approved_by", "approved_on"]


def decision_context(claim) -> dict:
    """What the claim page shows an approver: the decision form, the age flag, the miles warning."""
    today = today_london()
    miles = queries.year_miles_for([claim.claimant_id], rules.tax_year_of(today))[claim.claimant_id]
    deciding = claim.status is ClaimStatus.SUBMITTED and claim.can_approve(current_user)
    return {"decision_form": DecisionForm() if deciding else None,
            "old": rules.is_old(claim.oldest, (to_london(claim.submitted_at).date() if claim.submitted_at else today),
                                policy().age_flag_months),
            "age_months": policy().age_flag_months,
            "miles_warning": rules.near_threshold(miles, policy().warn_at_miles, policy().threshold_on(today))}


@bp.route("/approvals")
@roles_required(*APPROVERS)
def approvals():
    """Submitted claims waiting for your decision, oldest first, with the old ones and big milers flagged."""
    pager = db.paginate(queries.approval_queue(current_user), page=page_number(), per_page=25, error_out=False)
    today = today_london()
    miles = queries.year_miles_for(sorted({c.claimant_id for c in pager.items}), rules.tax_year_of(today))
    return render_template("expenses/approvals.html", pager=pager, pagination=govuk_pagination(pager, "expenses.approvals"),
                           pounds=rules.pounds, miles=miles, warn_at=policy().warn_at_miles, is_old=rules.is_old,
                           months=policy().age_flag_months, to_london=to_london)


@bp.route("/claims/<int:claim_id>/decision", methods=["POST"])
@roles_required(*APPROVERS)
def decide(claim_id):
    """Approve a claim, send it back with a question, or reject it."""
    item = queries.get_claim_or_404(claim_id, current_user)
    form = DecisionForm()
    if form.validate_on_submit():
        outcome = perform(services.decide_claim, item, current_user, form.decision.data, form.comment.data)
        words = {"approve": "Claim approved.", "query": "Claim sent back with your question.", "reject": "Claim rejected."}
        if outcome.flash(words.get(form.decision.data)):
            return redirect(url_for("expenses.approvals"))
        return redirect(url_for("expenses.claim", claim_id=item.id))
    return render_claim(item, decision_form=form), 400


@bp.route("/finance")
@roles_required(*FINANCE)
def finance():
    """Approved claims waiting to be paid, payment batches, and totals per volunteer for a tax year."""
    this_year = rules.tax_year_of(today_london())
    year = request.args.get("year", type=int) or this_year
    if not this_year - 7 <= year <= this_year:
        year = this_year
    pager = db.paginate(queries.volunteers_paid_in(year), page=page_number(), per_page=50, error_out=False)
    totals = queries.year_totals([u.id for u in pager.items], year)
    count, total = queries.waiting_to_pay()
    return render_template("expenses/finance.html", count=count, total=total, batches=queries.recent_batches(),
                           pager=pager, totals=totals, pagination=govuk_pagination(pager, "expenses.finance"), year=year,
                           years=range(this_year, this_year - 7, -1), label=rules.tax_year_label, pounds=rules.pounds,
                           action=ActionForm(), format_miles=rules.format_miles,
                           warn_at=policy().warn_at_miles)


@bp.route("/finance/batches", methods=["POST"])
@roles_required(*FINANCE)
def create_batch():
    """Gather the approved unpaid claims into a payment batch, ready to export."""
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(services_finance.create_batch, current_user).flash("Payment batch made: download it for finance.")
    return redirect(url_for("expenses.finance"))


@bp.route("/finance/batches/<int:batch_id>.csv")
@roles_required(*FINANCE)
def batch_csv(batch_id):
    """The batch for finance: one row per line, with the cost code of its funding stream, streamed."""
    batch = db.get_or_404(Batch, batch_id)
    streams = policy()

    def rows():
        for line in queries.batch_lines(batch):
            stream = streams.stream(line.stream)
            approver = User.name_of(line.approver_name, line.approver_email) if line.decided_by_id else ""
            yield [batch.id, line.claim_id, safe_cell(line.claimant_name), line.claimant_email,
                   line.spent_on.isoformat(), rules.tax_year_label(rules.tax_year_of(line.spent_on)),
                   line.kind.label, safe_cell(Line.title_of(line.kind, line.from_place, line.to_place,
                                                            line.description, line.reverses_line_id)),
                   "" if line.miles_tenths is None else Line.miles_of(line.miles_tenths),
                   Line.calculation_of(line.kind, line.priced, line.reverses_line_id), f"{line.pence / 100:.2f}",
                   line.pence, stream.cost_code, stream.label, safe_cell(approver),
                   to_london(line.decided_at).date().isoformat() if line.decided_at else ""]

    lines = chain([csv_line(CSV_HEADER)], csv_chunks(rows()))
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=expenses-batch-{batch.id}.csv"})


@bp.route("/finance/batches/<int:batch_id>/paid", methods=["GET", "POST"])
@roles_required(*FINANCE)
def mark_paid(batch_id):
    """Record the date and reference of a batch's payment; each volunteer is told."""
    batch = db.get_or_404(Batch, batch_id)
    form = PaidForm(today=today_london())
    if form.validate_on_submit():
        outcome = perform(services_finance.mark_batch_paid, batch, current_user, form.paid_on.data, form.reference.data)
        if outcome.flash(f"Batch {batch.id} marked as paid."):
            return redirect(url_for("expenses.finance"))
    return render_template("expenses/mark_paid.html", batch=batch, form=form)
