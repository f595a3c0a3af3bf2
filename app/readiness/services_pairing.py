"""Clients and pairs: add a client, note that a volunteer knows one, pair two volunteers, log contacts, end."""
from datetime import date

from sqlalchemy import func, or_, select

from app import audit
from app.actions import hold, on_duplicate
from app.auth.models import User
from app.extensions import db
from app.readiness import queries, rules_pairing
from app.readiness.models import (
    Client,
    ClientAcquaintance,
    ClientContact,
    ContactKind,
    Pairing,
    Standing,
)
from app.readiness.policy import current_policy
from app.readiness.services import ReadinessError, standing_row
from app.timefmt import today_london

on_duplicate("clients", "A client with this reference already exists.")
on_duplicate("client_acquaintances", "This volunteer is already recorded as knowing this client.")


def _approval_conditions(ids) -> dict[int, frozenset[str]]:
    """The support-need tags each volunteer's approval conditions rule out (policy: [pairing.conditions_rule_out])."""
    from app.auth.models import User
    from app.vetting.services import approval_conditions

    rule_out = dict(current_policy().conditions_rule_out)
    found = {}
    for volunteer in db.session.scalars(select(User).where(User.id.in_(list(ids)))):
        found[volunteer.id] = frozenset(t for code in approval_conditions(volunteer) for t in rule_out.get(code, ()))
    return {i: found.get(i, frozenset()) for i in ids}


def add_client(reference: str, area, needs: list[str], by: User) -> Client:
    """Add a client by reference code, area and support-need tags (no personal data)."""
    known = dict(current_policy().support_needs)
    if any(n not in known for n in needs):
        raise ReadinessError("Choose support needs from the list.")
    client = Client(reference=reference.upper(), area_id=area.id, needs=list(needs), created_by_id=by.id)
    db.session.add(client)
    db.session.flush()
    audit.record(by, "readiness.client_added", None, obj=client, area_id=area.id, needs=list(needs))
    return client


def record_acquaintance(client: Client, volunteer: User, by: User) -> ClientAcquaintance:
    """Note that a volunteer has said they know this client: they are never paired with them."""
    row = ClientAcquaintance(client_id=client.id, volunteer_id=volunteer.id, recorded_by_id=by.id)
    db.session.add(row)
    db.session.flush()
    audit.record(by, "readiness.client_known", volunteer, obj=client)
    return row


def _active_counts(ids) -> dict[int, int]:
    counts: dict[int, int] = {}
    for first, second in db.session.execute(select(Pairing.first_id, Pairing.second_id).where(
            Pairing.ended_on.is_(None), or_(Pairing.first_id.in_(ids), Pairing.second_id.in_(ids)))):
        for member in (first, second):
            counts[member] = counts.get(member, 0) + 1
    return counts


def member_facts(volunteers: list[User], client: Client, on: date) -> list[rules_pairing.MemberFacts]:
    """What the pairing rules need about each volunteer, in a fixed number of queries."""
    ids = [v.id for v in volunteers]
    readiness, standings = queries.readiness_for(ids, on), queries.standings(ids)
    knows = set(db.session.scalars(select(ClientAcquaintance.volunteer_id).where(
        ClientAcquaintance.client_id == client.id, ClientAcquaintance.volunteer_id.in_(ids))))
    counts, conditions = _active_counts(ids), _approval_conditions(ids)
    return [rules_pairing.MemberFacts(
        id=v.id, name=v.display_name, released=v.id in standings and standings[v.id].status == Standing.RELEASED,
        ready=readiness[v.id].ready, area_ids=frozenset(a.id for a in v.areas),
        first_released_on=standings[v.id].first_released_on if v.id in standings else None,
        conditions=conditions.get(v.id, frozenset()), knows_client=v.id in knows, active_clients=counts.get(v.id, 0))
        for v in volunteers]


def pair_volunteers(client: Client, first: User, second: User, by: User, on: date | None = None) -> Pairing:
    """Join exactly two released volunteers to a client, refused with every reason that applies."""
    on = on or today_london()
    if not client.can_manage(by):
        raise ReadinessError("Only a coordinator covering the client's area, or a manager, can pair volunteers.")
    if by.id in (first.id, second.id):
        raise ReadinessError("Nobody pairs themself: another coordinator must do this.")
    # Hold both volunteers' standings, lower id first (one lock order): a release, a stand-down or another
    # pairing of either cannot change what is checked below until this commits.
    for volunteer in sorted({first.id: first, second.id: second}.values(), key=lambda v: v.id):
        hold(standing_row(volunteer))
    policy = current_policy()
    facts = member_facts([first, second], client, on) if first.id != second.id else member_facts([first], client, on) * 2
    problems = rules_pairing.pairing_problems(facts[0], facts[1], client.area_id, client.needs, on,
                                              policy.probation_months, policy.max_active_clients)
    if problems:
        raise ReadinessError("These volunteers cannot be paired: " + "; ".join(problems) + ".")
    pairing = Pairing(client_id=client.id, first_id=first.id, second_id=second.id, started_on=on, created_by_id=by.id)
    db.session.add(pairing)
    db.session.flush()
    for member in (first, second):
        audit.record(by, "readiness.paired", member, obj=pairing, client_id=client.id)
    return pairing


def log_contact(pairing: Pairing, volunteer: User, contact_on: date, minutes: int, kind: ContactKind) -> ClientContact:
    """A volunteer logs a contact with their client (day, minutes, how): no notes about the client."""
    if volunteer.id not in pairing.member_ids():
        raise ReadinessError("You can only log contacts for your own pairings.")
    if contact_on < pairing.started_on or (pairing.ended_on and contact_on > pairing.ended_on):
        raise ReadinessError("The contact must be on a day the pairing was active.")
    contact = ClientContact(pairing_id=pairing.id, volunteer_id=volunteer.id, contact_on=contact_on, minutes=minutes,
                            kind=kind)
    db.session.add(contact)
    db.session.flush()
    return contact


END_REASONS = {"completed": "Support completed", "client-withdrew": "The client stopped", "re-pair": "Re-paired",
               "volunteer-left": "A volunteer stopped"}


def end_pairing(pairing: Pairing, reason: str, by: User, on: date | None = None) -> None:
    """End a pairing, with a reason code."""
    hold(pairing)
    if not pairing.active:
        raise ReadinessError("This pairing has already ended.")
    if reason not in END_REASONS:
        raise ReadinessError("Choose why the pairing is ending.")
    pairing.ended_on, pairing.end_reason, pairing.ended_by_id = on or today_london(), reason, by.id
    for member in (pairing.first, pairing.second):
        audit.record(by, "readiness.pairing_ended", member, obj=pairing, reason=reason)
    db.session.flush()


def flag_pairings(volunteer_id: int, on: date) -> list[Pairing]:
    """A stand-down flags the volunteer's active pairings, so their coordinator re-pairs the client."""
    pairings = list(db.session.scalars(select(Pairing).where(
        Pairing.ended_on.is_(None), or_(Pairing.first_id == volunteer_id, Pairing.second_id == volunteer_id))))
    for pairing in pairings:
        pairing.flagged_on = on
    db.session.flush()
    return pairings


def contact_minutes(volunteer: User) -> int:
    """All the minutes a volunteer has logged with clients (their volunteering time with clients)."""
    return db.session.scalar(select(func.coalesce(func.sum(ClientContact.minutes), 0))
                             .where(ClientContact.volunteer_id == volunteer.id))

