"""Who may be paired with whom for which client: pure, from plain facts, with the date passed in.

Probation is the first `probation_months` after a volunteer's first release: on probation before the day that
many months later, off it from that day.
"""
from dataclasses import dataclass, field
from datetime import date

from app.dates import add_months


@dataclass(frozen=True)
class MemberFacts:
    """One of the two volunteers proposed for a pairing."""

    id: int
    name: str
    released: bool
    ready: bool  # every gate good on the day
    area_ids: frozenset[int]
    first_released_on: date | None = None
    conditions: frozenset[str] = field(default_factory=frozenset)  # support-need tags they must not work with
    knows_client: bool = False
    active_clients: int = 0


def on_probation(member: MemberFacts, probation_months: int, on: date) -> bool:
    return member.first_released_on is None or on < add_months(member.first_released_on, probation_months)


def pairing_problems(first: MemberFacts, second: MemberFacts, client_area_id: int, client_needs, on: date,
                     probation_months: int, max_active_clients: int) -> list[str]:
    """Every reason these two may not be paired for this client on `on` (empty when they may)."""
    if first.id == second.id:
        return ["Choose two different volunteers: mentors always work in pairs"]
    problems = []
    for member in (first, second):
        if not member.released:
            problems.append(f"{member.name} is not released to client work")
        elif not member.ready:
            problems.append(f"{member.name} does not pass every gate today")
        if client_area_id not in member.area_ids:
            problems.append(f"{member.name} does not volunteer in the client's area")
        clash = sorted(member.conditions & set(client_needs))
        if clash:
            problems.append(f"{member.name} has an approval condition that rules out this client's needs "
                            f"({', '.join(clash)})")
        if member.knows_client:
            problems.append(f"{member.name} has said they know this client")
        if member.active_clients >= max_active_clients:
            problems.append(f"{member.name} already mentors {member.active_clients} clients, the most allowed")
    if on_probation(first, probation_months, on) and on_probation(second, probation_months, on):
        problems.append("Both volunteers are on probation: pair one of them with an experienced mentor")
    return problems
