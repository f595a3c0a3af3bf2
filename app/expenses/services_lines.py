"""Changing a claim's lines, saved journeys and the driver's yearly confirmation."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, or_, select

from app import audit
from app.actions import hold, on_duplicate
from app.auth.models import Role, User, UserRole
from app.expenses import rules
from app.expenses.models import Claim, ClaimStatus, DriverYear, Line, LineKind, SavedJourney, line_passengers
from app.expenses.policy import policy
from app.expenses.services import ExpenseError, reprice_year
from app.expenses.services_receipts import store_receipt
from app.extensions import db

on_duplicate("expense_saved_journeys", "You already have a saved journey with that name: choose another name.")
on_duplicate("expense_driver_years", "You have already confirmed your licence and insurance for this tax year.")


@dataclass
class Journey:
    """What a volunteer typed for one mileage line."""

    spent_on: date
    from_place: str
    to_place: str
    miles: Decimal
    vehicle: rules.Vehicle
    passengers: list[User] = field(default_factory=list)
    training_session: object | None = None
    stream: str | None = None
    description: str = ""


@dataclass
class Cost:
    """What a volunteer typed for one public transport, parking or other line, with its receipt."""

    kind: LineKind
    spent_on: date
    description: str
    pence: int
    receipt_data: bytes
    stream: str | None = None


def _editable(claim: Claim, by) -> None:
    hold(claim)
    if by.id != claim.claimant_id:
        raise ExpenseError("Only the volunteer who made this claim can change it.")
    if not claim.editable:
        raise ExpenseError(f"This claim is {claim.status.label.lower()}, so it cannot be changed. "
                           "A correction goes on a new claim.")


def add_journey(claim: Claim, by, journey: Journey, save_as: str | None = None) -> Line:
    """Add a mileage journey to a draft (or queried) claim, priced with the rest of its tax year;
    `save_as` also keeps it as a saved journey under that name."""
    _editable(claim, by)
    if journey.passengers and not journey.vehicle.carries_passengers:
        raise ExpenseError("Passengers can only be claimed for in a car or van.")
    problem = double_pay_problem(by, journey)
    if problem:
        raise ExpenseError(problem)
    try:
        rules.rates_on(policy().rates, journey.spent_on)
    except ValueError:
        raise ExpenseError("There are no mileage rates for that date.") from None
    stream = policy().training_stream if journey.training_session is not None else policy().stream(journey.stream).key
    line = Line(claim=claim, kind=LineKind.MILEAGE, spent_on=journey.spent_on, from_place=journey.from_place,
                to_place=journey.to_place, miles_tenths=int(journey.miles * 10), vehicle=journey.vehicle,
                passengers=list(journey.passengers), training_session=journey.training_session, stream=stream,
                description=journey.description, priced=[], pence=0)
    db.session.add(line)
    db.session.flush()
    reprice_year(claim.claimant_id, rules.tax_year_of(journey.spent_on), held={claim.id})
    audit.record(by, "expenses.line_added", by, obj=claim, line=line.id, kind=line.kind, pence=line.pence)
    if save_as:
        save_journey(by, save_as, journey.from_place, journey.to_place, journey.miles, journey.vehicle)
    return line


def double_pay_problem(by, journey: Journey) -> str | None:
    """Why this journey would be paid twice (None when it would not).

    A passenger listed on someone's journey cannot claim that journey, and the driver cannot list someone
    who claimed it themself. The same trip is the same day and the same training session or destination.
    And a pair cannot both claim mileage for one contact: mentors in a pairing who both logged a contact with
    their client that day travel there once (one drives, the other is the passenger).
    """
    same_trip = [Line.spent_on == journey.spent_on, Line.kind == LineKind.MILEAGE,
                 Claim.status != ClaimStatus.REJECTED]
    if journey.training_session is not None:
        same_trip.append(or_(Line.training_session_id == journey.training_session.id,
                             func.lower(Line.to_place) == journey.to_place.lower()))
    else:
        same_trip.append(func.lower(Line.to_place) == journey.to_place.lower())
    carried = db.session.scalar(select(User.full_name).select_from(Line).join(Claim).join(
        line_passengers, line_passengers.c.line_id == Line.id).join(User, User.id == Claim.claimant_id)
        .where(line_passengers.c.user_id == by.id, *same_trip).limit(1))
    if carried:
        return f"{carried} has claimed this journey with you as a passenger, so it cannot be paid twice."
    ids = [p.id for p in journey.passengers]
    if ids:
        driver = db.session.scalar(select(User.full_name).select_from(Line).join(Claim).join(
            User, User.id == Claim.claimant_id).where(Claim.claimant_id.in_(ids), *same_trip).limit(1))
        if driver:
            return f"{driver} has claimed mileage for this journey, so they cannot also be your passenger."
    partner = _partner_who_claimed_the_contact(by, journey, same_trip)
    if partner:
        return (f"{partner}, who mentors with you, has claimed mileage for your visit that day. Pairs travel to a "
                "contact once: add them as your passenger instead, or ask them to add you.")
    return None


def _partner_who_claimed_the_contact(by, journey: Journey, same_trip: list) -> str | None:
    """The mentoring partner (in a pairing where both logged a contact that day) who claimed this trip."""
    from sqlalchemy.orm import aliased

    from app.readiness.models import ClientContact, Pairing

    mine, theirs = aliased(ClientContact), aliased(ClientContact)
    partners = select(case((Pairing.first_id == by.id, Pairing.second_id), else_=Pairing.first_id)).join(
        mine, mine.pairing_id == Pairing.id).join(theirs, theirs.pairing_id == Pairing.id).where(
        or_(Pairing.first_id == by.id, Pairing.second_id == by.id), mine.volunteer_id == by.id,
        theirs.volunteer_id != by.id, mine.contact_on == journey.spent_on, theirs.contact_on == journey.spent_on)
    return db.session.scalar(select(User.full_name).select_from(Line).join(Claim).join(
        User, User.id == Claim.claimant_id).where(Claim.claimant_id.in_(partners), *same_trip).limit(1))


def add_cost(claim: Claim, by, cost: Cost) -> Line:
    """Add a public transport, parking or other cost, paid at the receipt amount, with its receipt."""
    _editable(claim, by)
    if cost.kind is LineKind.MILEAGE:
        raise ExpenseError("Add mileage as a journey.")
    if cost.pence <= 0:
        raise ExpenseError("Enter the amount on the receipt.")
    receipt = store_receipt(by, cost.receipt_data)
    line = Line(claim=claim, kind=cost.kind, spent_on=cost.spent_on, description=cost.description,
                pence=cost.pence, receipt=receipt, stream=policy().stream(cost.stream).key)
    db.session.add(line)
    db.session.flush()
    audit.record(by, "expenses.line_added", by, obj=claim, line=line.id, kind=line.kind, pence=line.pence)
    return line


def remove_line(line: Line, by) -> None:
    """Take a line off a draft or queried claim (re-pricing the journeys after it)."""
    claim = line.claim
    _editable(claim, by)
    year = rules.tax_year_of(line.spent_on) if line.kind is LineKind.MILEAGE else None
    audit.record(by, "expenses.line_removed", by, obj=claim, line=line.id, kind=line.kind, pence=line.pence)
    claim.lines.remove(line)
    db.session.flush()
    if year is not None:
        reprice_year(claim.claimant_id, year, held={claim.id})


def reverse_line(line: Line, by) -> Line:
    """Correct an approved or paid claim: a line reversing this one (negative miles and pence) goes on the
    volunteer's draft claim, where they add what it should have been. The approved claim itself never changes."""
    from app.expenses.services import start_claim

    if by.id != line.claim.claimant_id:
        raise ExpenseError("Only the volunteer who made this claim can correct it.")
    if not line.claim.status.frozen:
        raise ExpenseError("This claim is not approved yet: change the line itself.")
    if line.reverses_line_id is not None:
        raise ExpenseError("This line is itself a correction.")
    if db.session.scalar(select(Line.id).join(Claim).where(Line.reverses_line_id == line.id,
                                                           Claim.status != ClaimStatus.REJECTED)):
        raise ExpenseError("This line has already been corrected.")
    claim = start_claim(by)
    _editable(claim, by)
    negated = [dict(p, miles=str(-rules.as_miles(p["miles"])), pence=-p["pence"]) for p in (line.priced or [])]
    reversal = Line(claim=claim, kind=line.kind, spent_on=line.spent_on, from_place=line.from_place,
                    to_place=line.to_place, miles_tenths=-line.miles_tenths if line.miles_tenths else None,
                    vehicle=line.vehicle, stream=line.stream, receipt_id=line.receipt_id, pence=-line.pence,
                    priced=negated or None, reverses_line_id=line.id,
                    description=line.description)
    db.session.add(reversal)
    db.session.flush()
    audit.record(by, "expenses.line_reversed", by, obj=claim, line=reversal.id, reverses=line.id, pence=reversal.pence)
    if line.kind is LineKind.MILEAGE:
        reprice_year(claim.claimant_id, rules.tax_year_of(line.spent_on), held={claim.id})
    return reversal


def save_journey(by, name: str, from_place: str, to_place: str, miles: Decimal, vehicle: rules.Vehicle) -> SavedJourney:
    """Keep a journey made often, to claim it again in two taps."""
    journey = SavedJourney(user_id=by.id, name=name, from_place=from_place, to_place=to_place,
                           miles_tenths=int(miles * 10), vehicle=vehicle)
    db.session.add(journey)
    db.session.flush()
    return journey


def forget_journey(journey: SavedJourney, by) -> None:
    """Remove a saved journey (claims already made are not changed)."""
    if journey.user_id != by.id:
        raise ExpenseError("That is not one of your saved journeys.")
    db.session.delete(journey)
    db.session.flush()


def confirm_driver(by, tax_year: int, other_miles: Decimal) -> DriverYear:
    """The driver confirms, for a tax year, that their licence is valid and their insurer knows they volunteer;
    and declares the car and van miles they drove for other organisations (they count toward 10,000)."""
    row = db.session.scalar(select(DriverYear).where(DriverYear.user_id == by.id, DriverYear.tax_year == tax_year))
    if row is None:
        row = DriverYear(user_id=by.id, tax_year=tax_year)
        db.session.add(row)
    row.other_miles_tenths = int(other_miles * 10)
    db.session.flush()
    audit.record(by, "expenses.driver_confirmed", by, obj=row, tax_year=tax_year, other_miles=str(other_miles))
    reprice_year(by.id, tax_year)
    return row


def fellow_volunteers(user) -> list[User]:
    """Volunteers who may be listed as passengers: those sharing an area with the driver (everyone if none)."""
    query = select(User).join(User.role_grants).where(
        User.id != user.id, User.deactivated_at.is_(None), UserRole.role == Role.VOLUNTEER).order_by(User.full_name)
    area_ids = [a.id for a in user.areas]
    if area_ids:
        from app.core.models import user_areas

        query = query.where(User.id.in_(select(user_areas.c.user_id).where(user_areas.c.area_id.in_(area_ids))))
    return list(db.session.scalars(query.limit(200)).unique())
