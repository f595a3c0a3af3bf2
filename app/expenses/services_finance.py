"""Paying claims: a batch of the approved unpaid claims for the finance export, then marked paid."""
from datetime import date

from sqlalchemy import select

from app import audit
from app.actions import hold
from app.expenses.models import Batch, Claim, ClaimStatus
from app.expenses.services import ExpenseError, tell_claimant
from app.extensions import db


def create_batch(by) -> Batch:
    """Gather every approved claim not yet in a batch into a new payment batch (the export lists exactly these)."""
    claims = db.session.scalars(select(Claim).where(Claim.status == ClaimStatus.APPROVED, Claim.batch_id.is_(None))
                                .order_by(Claim.id)).all()
    if not claims:
        raise ExpenseError("There are no approved claims waiting to be paid.")
    batch = Batch(created_by_id=by.id)
    db.session.add(batch)
    db.session.flush()
    for claim in claims:
        hold(claim)  # a claim being gathered by someone else at this moment goes in one batch only
        claim.batch_id = batch.id
    audit.record(by, "expenses.batch_created", obj=batch, claims=[c.id for c in claims],
                 total_pence=sum(c.total_pence for c in claims))
    db.session.flush()
    return batch


def mark_batch_paid(batch: Batch, by, paid_on: date, reference: str) -> Batch:
    """Record that finance paid a batch (date and payment reference); each volunteer is told."""
    hold(batch)
    if batch.paid_on is not None:
        raise ExpenseError(f"This batch was already marked paid on {batch.paid_on:%-d %B %Y}.")
    batch.paid_on, batch.reference, batch.paid_by_id = paid_on, reference, by.id
    claims = db.session.scalars(select(Claim).where(Claim.batch_id == batch.id).order_by(Claim.id)).all()
    for claim in claims:
        hold(claim)
        if claim.status is not ClaimStatus.APPROVED:
            raise ExpenseError(f"Claim {claim.id} in this batch is {claim.status.label.lower()}, not approved.")
        claim.status = ClaimStatus.PAID
        audit.record(by, "expenses.claim_paid", claim.claimant, obj=claim, batch=batch.id, total_pence=claim.total_pence,
                     paid_on=paid_on.isoformat())
        tell_claimant(claim, "Expenses paid", "paid")
    db.session.flush()
    return batch
