"""Reads for the expenses pages: a volunteer's claims, the approval queue, year totals, the finance export."""
from collections.abc import Iterator
from decimal import Decimal

from flask import abort
from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.core.models import user_areas
from app.expenses import rules
from app.expenses.models import Batch, Claim, ClaimStatus, DriverYear, Line, LineKind, Receipt, SavedJourney
from app.extensions import db


def get_claim_or_404(claim_id: int, user) -> Claim:
    """A claim the person may see (their own, or one they may approve); 404 otherwise, so ids reveal nothing."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or not claim.can_view(user):
        abort(404)
    return claim


def get_line_or_404(claim: Claim, line_id: int) -> Line:
    line = next((line for line in claim.lines if line.id == line_id), None)
    if line is None:
        abort(404)
    return line


def get_receipt_or_404(receipt_id: int, user) -> Receipt:
    """A receipt, for its owner or someone who may approve a claim it is on."""
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None:
        abort(404)
    if receipt.owner_id == user.id:
        return receipt
    claims = db.session.scalars(select(Claim).join(Line).where(Line.receipt_id == receipt.id)).all()
    if not any(claim.can_approve(user) for claim in claims):
        abort(404)
    return receipt


def my_claims(user) -> Select:
    return (select(Claim).where(Claim.claimant_id == user.id)
            .order_by(case((Claim.status == ClaimStatus.DRAFT, 0), else_=1), Claim.id.desc()))


def my_saved_journeys(user) -> list[SavedJourney]:
    return list(db.session.scalars(select(SavedJourney).where(SavedJourney.user_id == user.id)
                                   .order_by(SavedJourney.name)))


def get_saved_journey_or_404(journey_id: int, user) -> SavedJourney:
    journey = db.session.get(SavedJourney, journey_id)
    if journey is None or journey.user_id != user.id:
        abort(404)
    return journey


def driver_year(user, tax_year: int) -> DriverYear | None:
    return db.session.scalar(select(DriverYear).where(DriverYear.user_id == user.id, DriverYear.tax_year == tax_year))


def approval_queue(user) -> Select:
    """Submitted claims this person may decide, oldest first: a coordinator's areas, or all for a manager;
    never their own. Lines (and their passengers) load in one query each per page, whatever the page size."""
    query = (select(Claim).where(Claim.status == ClaimStatus.SUBMITTED, Claim.claimant_id != user.id)
             .options(selectinload(Claim.lines).selectinload(Line.passengers))
             .order_by(Claim.submitted_at, Claim.id))
    if not user.has_role(Role.MANAGER):
        mine = select(user_areas.c.area_id).where(user_areas.c.user_id == user.id)
        query = query.where(exists().where(user_areas.c.user_id == Claim.claimant_id, user_areas.c.area_id.in_(mine)))
    return query


def year_miles_for(user_ids: list[int], tax_year: int) -> dict[int, Decimal]:
    """Car and van miles counted toward the threshold this tax year (pending and approved claims, plus miles
    declared for other organisations), for a page of volunteers in one query each."""
    if not user_ids:
        return {}
    start, end = rules.tax_year_bounds(tax_year)
    rows = db.session.execute(
        select(Claim.claimant_id, func.sum(Line.miles_tenths)).join(Line)
        .where(Claim.claimant_id.in_(user_ids), Claim.status != ClaimStatus.REJECTED, Line.kind == LineKind.MILEAGE,
               Line.vehicle.in_([rules.Vehicle.CAR, rules.Vehicle.VAN]), Line.spent_on.between(start, end))
        .group_by(Claim.claimant_id)).all()
    other = db.session.execute(select(DriverYear.user_id, DriverYear.other_miles_tenths).where(
        DriverYear.user_id.in_(user_ids), DriverYear.tax_year == tax_year)).all()
    tenths = {uid: 0 for uid in user_ids}
    for uid, n in [*rows, *other]:
        tenths[uid] += int(n or 0)
    return {uid: Decimal(n) / 10 for uid, n in tenths.items()}


def _approved_in_year(tax_year: int):
    """Approved and paid lines dated in a tax year: a range of spent_on, so the index on it serves (the year
    worked out per row in SQL could not use one)."""
    start, end = rules.tax_year_bounds(tax_year)
    return (select(Line).join(Claim).where(Claim.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]),
                                           Line.spent_on.between(start, end)))


def volunteers_paid_in(tax_year: int) -> Select:
    """Volunteers with approved or paid lines in a tax year, by name (a page of them at a time)."""
    approved = _approved_in_year(tax_year).with_only_columns(Claim.claimant_id)
    return select(User).where(User.id.in_(approved)).order_by(User.full_name, User.id)


def year_totals(user_ids: list[int], tax_year: int) -> dict[int, tuple[int, Decimal]]:
    """Approved and paid pence, and car and van miles, per volunteer in one tax year, in one query."""
    car_miles = func.sum(case((Line.vehicle.in_([rules.Vehicle.CAR, rules.Vehicle.VAN]), Line.miles_tenths), else_=0))
    rows = db.session.execute(_approved_in_year(tax_year).with_only_columns(
        Claim.claimant_id, func.sum(Line.pence), car_miles).where(Claim.claimant_id.in_(user_ids))
        .group_by(Claim.claimant_id)).all()
    return {uid: (int(pence or 0), Decimal(int(tenths or 0)) / 10) for uid, pence, tenths in rows}


def waiting_to_pay() -> tuple[int, int]:
    """How many approved claims are not yet in a batch, and their total pence."""
    row = db.session.execute(select(func.count(func.distinct(Claim.id)), func.coalesce(func.sum(Line.pence), 0))
                             .select_from(Claim).join(Line).where(Claim.status == ClaimStatus.APPROVED,
                                                                  Claim.batch_id.is_(None))).one()
    return int(row[0]), int(row[1])


def recent_batches() -> list[tuple[Batch, int, int]]:
    """The latest payment batches with their claim count and total."""
    rows = db.session.execute(
        select(Batch, func.count(func.distinct(Claim.id)), func.coalesce(func.sum(Line.pence), 0))
        .join(Claim, Claim.batch_id == Batch.id).join(Line, Line.claim_id == Claim.id)
        .group_by(Batch.id).order_by(Batch.id.desc()).limit(20)).all()
    return [(batch, int(n), int(total)) for batch, n, total in rows]


def batch_lines(batch: Batch) -> Iterator:
    """Every line of a batch, claim by claim, as plain rows of what the finance export shows (the line's columns,
    its claim's id and decision time, the claimant's and approver's name and e-mail), read in chunks so a large
    export never sits in memory. As objects (each line, claim and both people) they took most of its time."""
    from sqlalchemy.orm import aliased

    claimant, approver = aliased(User), aliased(User)
    query = (select(Line.kind, Line.spent_on, Line.description, Line.from_place, Line.to_place, Line.miles_tenths,
                    Line.priced, Line.pence, Line.stream, Line.reverses_line_id, Claim.id.label("claim_id"),
                    Claim.decided_at, Claim.decided_by_id, claimant.full_name.label("claimant_name"),
                    claimant.email.label("claimant_email"), approver.full_name.label("approver_name"),
                    approver.email.label("approver_email"))
             .join(Claim, Claim.id == Line.claim_id).join(claimant, claimant.id == Claim.claimant_id)
             .outerjoin(approver, approver.id == Claim.decided_by_id)
             .where(Claim.batch_id == batch.id).order_by(Claim.id, Line.spent_on, Line.id)
             .execution_options(yield_per=500))
    yield from db.session.execute(query)


def sessions_for_purpose(user, since, until) -> list:
    """Training sessions the volunteer attended or taught between two days, to link a journey's purpose to."""
    from datetime import time

    from app.timefmt import london_to_utc
    from app.training.models import Attendance, Booking, TrainingSession, session_trainers

    start, end = london_to_utc(since, time(0)), london_to_utc(until, time(23, 59))
    attended = select(Booking.session_id).where(Booking.user_id == user.id,
                                                Booking.attendance.in_([Attendance.PRESENT, Attendance.LATE]))
    taught = select(session_trainers.c.session_id).where(session_trainers.c.user_id == user.id)
    return list(db.session.scalars(select(TrainingSession).where(
        TrainingSession.starts_at.between(start, end),
        TrainingSession.id.in_(attended) | TrainingSession.id.in_(taught)).order_by(TrainingSession.starts_at.desc())
        .limit(50)))
