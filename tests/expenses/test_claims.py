"""Claims from draft to paid: who may do what, the no-double-pay rules, re-pricing, audit and e-mail."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit import AuditEvent
from app.auth.models import Role
from app.expenses import rules, services, services_finance, services_lines
from app.expenses.models import Claim, ClaimStatus, Line, LineKind
from app.expenses.services import ExpenseError
from app.extensions import db
from tests.expenses.factories import PDF, approved_claim, decide, journey, make_claim, make_driver
from tests.factories import make_user

TODAY = date.today()
YEAR_START = rules.tax_year_bounds(rules.tax_year_of(TODAY))[0]


def day(n: int) -> date:
    """The n-th day of this tax year, never in the future."""
    return min(YEAR_START + timedelta(days=n), TODAY)


def audits(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_claim_goes_from_draft_to_paid_audited_and_emailed_at_every_step(smtp):
    person = make_driver()
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    manager = make_user(Role.MANAGER)
    claim = make_claim(person, [journey(day(0), "12.5")], submit=True)
    assert claim.status is ClaimStatus.SUBMITTED and claim.total_pence == 562  # 12.5 x 45p = 562.5 -> 562p
    decide(claim, coordinator, "approve")
    batch = services_finance.create_batch(manager)
    db.session.commit()
    services_finance.mark_batch_paid(batch, manager, TODAY, "BACS-0042")
    db.session.commit()
    assert claim.status is ClaimStatus.PAID
    for action in ("claim_submitted", "claim_approved", "batch_created", "claim_paid"):
        assert audits(f"expenses.{action}") == 1, action
    assert [m["Subject"] for m in smtp.messages] == ["Expenses claim received", "Expenses claim approved", "Expenses paid"]
    assert "BACS-0042" in smtp.messages[-1].get_payload()


def test_the_claimant_can_never_decide_their_own_claim():
    person = make_user(Role.VOLUNTEER, Role.COORDINATOR, Role.MANAGER, areas=["Durham"])
    services_lines.confirm_driver(person, rules.tax_year_of(TODAY), Decimal(0))
    claim = make_claim(person, [journey(day(0), "10")], submit=True)
    with pytest.raises(ExpenseError, match="cannot decide your own claim"):
        services.decide_claim(claim, person, "approve", None)


def test_a_coordinator_decides_only_claims_from_their_areas_and_a_manager_any():
    person = make_driver(areas=("Durham",))
    elsewhere = make_user(Role.COORDINATOR, areas=["Weardale"])
    claim = make_claim(person, [journey(day(0), "10")], submit=True)
    assert not claim.can_approve(elsewhere) and claim.can_approve(make_user(Role.MANAGER))
    assert claim.can_approve(make_user(Role.COORDINATOR, areas=["Durham", "Stanley"]))
    with pytest.raises(ExpenseError, match="covering this volunteer's area"):
        services.decide_claim(claim, elsewhere, "approve", None)


def test_mileage_needs_the_drivers_yearly_confirmation_but_a_bicycle_does_not():
    person = make_user(Role.VOLUNTEER, areas=["Durham"])
    claim = make_claim(person, [journey(day(0), "10")])
    with pytest.raises(ExpenseError, match="confirm your driving licence and insurance"):
        services.submit_claim(claim, person, TODAY)
    db.session.rollback()
    cyclist = make_user(Role.VOLUNTEER, areas=["Durham"])
    assert make_claim(cyclist, [journey(day(0), "10", vehicle="bicycle")], submit=True).status is ClaimStatus.SUBMITTED


def test_queried_claims_go_back_to_the_volunteer_who_fixes_and_resubmits(smtp):
    person = make_driver()
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    claim = make_claim(person, [journey(day(0), "100")], submit=True)
    with pytest.raises(ExpenseError, match="needs to know"):
        services.decide_claim(claim, coordinator, "query", " ")
    db.session.rollback()
    decide(claim, coordinator, "query", "Was it 10 miles, not 100?")
    assert claim.status is ClaimStatus.QUERIED and "10 miles, not 100" in smtp.messages[-1].get_payload()
    services_lines.remove_line(claim.lines[0], person)
    services_lines.add_journey(claim, person, journey(day(0), "10"))
    services.submit_claim(claim, person, TODAY)
    db.session.commit()
    assert claim.status is ClaimStatus.SUBMITTED and claim.total_pence == 450
    assert audits("expenses.claim_resubmitted") == 1


def test_approved_claims_never_change():
    person = make_driver()
    claim = approved_claim(person, make_user(Role.MANAGER), [journey(day(0), "10")])
    with pytest.raises(ExpenseError, match="cannot be changed"):
        services_lines.add_journey(claim, person, journey(day(1), "5"))
    db.session.rollback()
    with pytest.raises(ExpenseError, match="cannot be changed"):
        services_lines.remove_line(claim.lines[0], person)
    db.session.rollback()
    with pytest.raises(ExpenseError, match="no decision waiting"):
        services.decide_claim(claim, make_user(Role.MANAGER), "reject", "Changed my mind")


def test_a_second_claim_started_while_one_is_being_written_is_the_same_draft():
    person = make_driver()
    first = services.start_claim(person)
    db.session.commit()
    assert services.start_claim(person).id == first.id
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1


def test_submitting_twice_makes_one_submission():
    person = make_driver()
    claim = make_claim(person, [journey(day(0), "10")], submit=True)
    with pytest.raises(ExpenseError, match="already submitted"):
        services.submit_claim(claim, person, TODAY)
    assert audits("expenses.claim_submitted") == 1


def test_the_threshold_is_crossed_across_claims_and_rejection_reprices_later_pending_claims():
    person = make_driver(other_miles="9900")
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    first = make_claim(person, [journey(day(0), "80")], submit=True)
    second = make_claim(person, [journey(day(1), "40")], submit=True)
    assert first.total_pence == 80 * 45
    assert second.lines[0].calculation == "20 miles at 45p, 20 miles at 25p"
    decide(first, coordinator, "reject", "That journey was claimed last month")
    db.session.refresh(second.lines[0])
    assert second.lines[0].calculation == "40 miles at 45p" and second.total_pence == 40 * 45


def test_a_rejection_never_reprices_an_approved_claim():
    person = make_driver(other_miles="9950")
    manager = make_user(Role.MANAGER)
    pending = make_claim(person, [journey(day(0), "40")], submit=True)
    approved = approved_claim(person, manager, [journey(day(1), "20")])
    assert approved.lines[0].calculation == "10 miles at 45p, 10 miles at 25p"
    decide(pending, manager, "reject", "Not a scheme journey")
    db.session.refresh(approved.lines[0])
    assert approved.lines[0].calculation == "10 miles at 45p, 10 miles at 25p"


def test_passengers_are_paid_to_the_driver_and_cannot_claim_the_same_journey():
    driver = make_driver()
    passenger = make_driver()
    claim = make_claim(driver, [journey(day(0), "30", to="Durham Community Centre", passengers=[passenger])])
    assert claim.lines[0].calculation == "30 miles at 45p, 1 passenger for 30 miles at 5p"
    assert claim.total_pence == 30 * 45 + 30 * 5
    other = services.start_claim(passenger)
    with pytest.raises(ExpenseError, match="as a passenger"):
        services_lines.add_journey(other, passenger, journey(day(0), "30", to="durham community centre"))
    db.session.rollback()
    services_lines.add_journey(services.start_claim(passenger), passenger, journey(day(0), "30", to="Stanley"))
    third = make_driver()
    services_lines.add_journey(services.start_claim(third), third, journey(day(1), "5", to="Consett"))
    with pytest.raises(ExpenseError, match="cannot also be your passenger"):
        services_lines.add_journey(claim, driver, journey(day(1), "5", to="Consett", passengers=[third]))


def test_passengers_only_in_cars_and_vans():
    person, friend = make_driver(), make_driver()
    claim = make_claim(person)
    with pytest.raises(ExpenseError, match="car or van"):
        services_lines.add_journey(claim, person, journey(day(0), "5", vehicle="motorcycle", passengers=[friend]))


def test_costs_are_paid_at_the_receipt_amount_and_need_a_receipt(app):
    person = make_driver()
    cost = services_lines.Cost(LineKind.PARKING, day(0), "Parking at the centre", 350, PDF)
    claim = make_claim(person, costs=[cost])
    line = claim.lines[0]
    assert line.pence == 350 and line.receipt.content_type == "application/pdf" and line.stream == "mentoring"
    with pytest.raises(ExpenseError, match="amount on the receipt"):
        services_lines.add_cost(claim, person, services_lines.Cost(LineKind.OTHER, day(0), "Tea", 0, PDF))


def test_a_journey_linked_to_a_training_session_is_booked_to_the_training_cost_code():
    from tests.training.factories import make_session

    person = make_driver()
    session = make_session()
    claim = make_claim(person, [journey(day(0), "8", training_session=session)])
    assert claim.lines[0].stream == "training" and claim.lines[0].training_session_id == session.id


def test_declaring_other_miles_reprices_pending_journeys():
    person = make_driver()
    claim = make_claim(person, [journey(day(0), "20")])
    assert claim.total_pence == 900
    services_lines.confirm_driver(person, rules.tax_year_of(TODAY), Decimal("9990"))
    db.session.commit()
    db.session.refresh(claim.lines[0])
    assert claim.lines[0].calculation == "10 miles at 45p, 10 miles at 25p"
    assert db.session.scalar(select(Line.pence)) == 450 + 250


def test_a_correction_is_a_reversing_line_on_a_new_claim_and_the_approved_claim_never_changes():
    person = make_driver(other_miles="9980")
    manager = make_user(Role.MANAGER)
    approved = approved_claim(person, manager, [journey(day(0), "40")])  # 20 at 45p, 20 at 25p = 1400p
    assert approved.total_pence == 1400
    reversal = services_lines.reverse_line(approved.lines[0], person)
    db.session.commit()
    correction = reversal.claim
    assert correction.id != approved.id and correction.status is ClaimStatus.DRAFT
    assert reversal.pence == -1400 and reversal.miles == Decimal("-40")
    assert reversal.calculation == "Reverses a line paid before: -20 miles at 45p, -20 miles at 25p"
    # the 40 miles are taken back off the count, so the right journey is priced from 9,980 again
    services_lines.add_journey(correction, person, journey(day(0), "4"))
    services.submit_claim(correction, person, TODAY)
    db.session.commit()
    assert correction.total_pence == -1400 + 4 * 45
    db.session.refresh(approved)
    assert approved.total_pence == 1400 and approved.status is ClaimStatus.APPROVED
    with pytest.raises(ExpenseError, match="already been corrected"):
        services_lines.reverse_line(approved.lines[0], person)
    db.session.rollback()
    with pytest.raises(ExpenseError, match="not approved yet"):
        services_lines.reverse_line(correction.lines[0], person)
    assert audits("expenses.line_reversed") == 1


def test_a_mentoring_pair_cannot_both_claim_mileage_for_one_contact():
    from app.readiness.models import Client, ClientContact, ContactKind, Pairing
    from tests.factories import area_named

    first, second, stranger = make_driver(), make_driver(), make_driver()
    client = Client(reference="DUR-9001", area_id=area_named("Durham").id, needs=[])
    db.session.add(client)
    db.session.flush()
    pairing = Pairing(client_id=client.id, first_id=first.id, second_id=second.id, started_on=day(5))
    db.session.add(pairing)
    db.session.flush()
    for person in (first, second):
        db.session.add(ClientContact(pairing_id=pairing.id, volunteer_id=person.id, contact_on=day(1), minutes=60,
                                     kind=ContactKind.VISIT))
    db.session.flush()
    make_claim(first, [journey(day(1), "12", to="Seaham")])
    with pytest.raises(ExpenseError, match="who mentors with you, has claimed mileage for your visit"):
        services_lines.add_journey(services.start_claim(second), second, journey(day(1), "12", to="seaham"))
    db.session.rollback()
    # Someone not paired with them, or the pair on another day, may claim the same place.
    services_lines.add_journey(services.start_claim(stranger), stranger, journey(day(1), "12", to="Seaham"))
    services_lines.add_journey(services.start_claim(second), second, journey(day(2), "12", to="Seaham"))
