"""Claim state changes: start, submit, approve / query / reject, and re-pricing a volunteer's tax year.

Each holds the claim it read first (a conditional write on its version), so a double tap on "Submit" makes one
submission and two approvers at once make one decision.
"""
from datetime import date

from sqlalchemy import select

from app import audit
from app.actions import hold, on_duplicate
from app.db_types import utcnow
from app.email import send_email
from app.errors import DomainError
from app.expenses import rules
from app.expenses.models import Claim, ClaimStatus, DriverYear, Line, LineKind
from app.expenses.policy import policy
from app.extensions import db
from app.urls import external_url

on_duplicate("expense_claims", "You already have a claim being written: add to that one.")


class ExpenseError(DomainError):
    """An expenses action refused in the claim's current state."""


DECISIONS = {"approve": ClaimStatus.APPROVED, "query": ClaimStatus.QUERIED, "reject": ClaimStatus.REJECTED}


def start_claim(by) -> Claim:
    """Open a draft claim, or return the one this volunteer already has (one draft each, kept by the database)."""
    draft = db.session.scalar(select(Claim).where(Claim.claimant_id == by.id, Claim.status == ClaimStatus.DRAFT))
    if draft is not None:
        return draft
    claim = Claim(claimant_id=by.id, status=ClaimStatus.DRAFT)
    db.session.add(claim)
    db.session.flush()
    audit.record(by, "expenses.claim_started", by, obj=claim)
    return claim


def submit_claim(claim: Claim, by, today: date) -> Claim:
    """Send a draft (or a claim sent back with a question) to be approved."""
    hold(claim)
    if by.id != claim.claimant_id:
        raise ExpenseError("Only the volunteer who made this claim can submit it.")
    if not claim.editable:
        raise ExpenseError(f"This claim is already {claim.status.label.lower()}.")
    if not claim.lines:
        raise ExpenseError("Add at least one journey or cost before you submit the claim.")
    missing = missing_driver_years(claim)
    if missing:
        raise ExpenseError("Before we can accept a mileage claim, confirm your driving licence and insurance for the "
                           f"{rules.tax_year_label(missing[0])} tax year.")
    resubmitted = claim.status is ClaimStatus.QUERIED
    claim.status, claim.submitted_at = ClaimStatus.SUBMITTED, utcnow()
    audit.record(by, "expenses.claim_resubmitted" if resubmitted else "expenses.claim_submitted", by, obj=claim,
                 total_pence=claim.total_pence, lines=len(claim.lines))
    tell_claimant(claim, "Expenses claim received", "submitted")
    db.session.flush()
    return claim


def missing_driver_years(claim: Claim) -> list[int]:
    """Tax years of this claim's motor journeys with no licence and insurance confirmation."""
    years = sorted({rules.tax_year_of(line.spent_on) for line in claim.lines
                    if line.kind is LineKind.MILEAGE and line.vehicle.needs_licence and line.reverses_line_id is None})
    if not years:
        return []
    confirmed = set(db.session.scalars(select(DriverYear.tax_year).where(
        DriverYear.user_id == claim.claimant_id, DriverYear.tax_year.in_(years))))
    return [y for y in years if y not in confirmed]


def decide_claim(claim: Claim, by, decision: str, comment: str | None) -> Claim:
    """Approve a submitted claim, send it back with a question, or reject it (with a reason)."""
    hold(claim)
    if by.id == claim.claimant_id:
        raise ExpenseError("You cannot decide your own claim: another coordinator or a manager must.")
    if not claim.can_approve(by):
        raise ExpenseError("Only a coordinator covering this volunteer's area, or a manager, can decide this claim.")
    if claim.status is not ClaimStatus.SUBMITTED:
        raise ExpenseError(f"This claim is {claim.status.label.lower()}, so it has no decision waiting.")
    if decision not in DECISIONS:
        raise ExpenseError("Choose approve, send back with a question, or reject.")
    if decision != "approve" and not (comment or "").strip():
        raise ExpenseError("Say what the volunteer needs to know.")
    claim.status, claim.decided_at, claim.decided_by_id = DECISIONS[decision], utcnow(), by.id
    claim.comment = (comment or "").strip() or None
    audit.record(by, f"expenses.claim_{claim.status.value}", claim.claimant, obj=claim, total_pence=claim.total_pence)
    if claim.status is ClaimStatus.REJECTED:
        for year in {rules.tax_year_of(line.spent_on) for line in claim.lines if line.kind is LineKind.MILEAGE}:
            reprice_year(claim.claimant_id, year, held={claim.id})
    subjects = {ClaimStatus.APPROVED: "Expenses claim approved", ClaimStatus.QUERIED: "A question about your expenses claim",
                ClaimStatus.REJECTED: "Expenses claim not approved"}
    tell_claimant(claim, subjects[claim.status], claim.status.value)
    db.session.flush()
    return claim


def reprice_year(user_id: int, tax_year: int, held: set[int] = frozenset()) -> None:
    """Price again the pending journeys of a volunteer's tax year (after a line is added or removed, a claim
    rejected, or other miles declared). Approved and paid journeys keep their price. Each pending claim whose
    prices change is held, so a claim approved at that moment is never changed after its approval."""
    start, end = rules.tax_year_bounds(tax_year)
    lines = db.session.scalars(
        select(Line).join(Claim).where(Claim.claimant_id == user_id, Claim.status != ClaimStatus.REJECTED,
                                       Line.kind == LineKind.MILEAGE, Line.spent_on.between(start, end))).all()
    other = db.session.scalar(select(DriverYear.other_miles_tenths).where(
        DriverYear.user_id == user_id, DriverYear.tax_year == tax_year)) or 0
    # Reversing lines keep the (negative) price of the line they reverse, and take its miles off the count.
    journeys = [rules.Journey(line.id, line.spent_on, line.vehicle, line.miles, len(line.passengers),
                              frozen=line.claim.status.frozen or line.reverses_line_id is not None) for line in lines]
    prices = rules.price_year(journeys, rules.as_miles(other) / 10, policy().rates)
    by_id = {line.id: line for line in lines}
    held = set(held)
    for line_id, priced in prices.items():
        line = by_id[line_id]
        new = [p.as_dict() for p in priced]
        if line.priced == new:
            continue
        if line.claim_id not in held:
            hold(line.claim)
            held.add(line.claim_id)
        line.priced, line.pence = new, sum(p.pence for p in priced)


def tell_claimant(claim: Claim, subject: str, template: str) -> None:
    send_email(claim.claimant.email, subject, f"expenses/{template}", claim=claim, pounds=rules.pounds,
               link=external_url("expenses.claim", claim_id=claim.id))
