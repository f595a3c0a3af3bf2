"""Reads of the kept gate states (readiness_entries, kept by services_states.py): whether they hold today, the
list filters as conditions on them, and a page's gates from them, with no records loaded and nothing decided.

The filters mean what `queries.matches_filters` means (tested against it for many varied volunteers):
- a gate in a state: that gate's letter in `states`; any gate: the letter anywhere in it;
- ready: `ready` (every gate good) and not `released`; released: `released`;
- good until within N days: that gate's slot of `untils` on or before the day (YYYYMMDD compares as text, and the
  empty slot ~~~~~~~~ after every day); any gate: `soonest`, the first day any good gate ends.
"""
from datetime import date, timedelta

from sqlalchemy import and_, false, func, not_, select, true

from app.kept import fingerprint, holds
from app.readiness import rules
from app.readiness.models import GateStateEntry, GateStateState
from app.readiness.policy import ReadinessPolicy
from app.vetting.policy import VettingPolicy

ENTRIES, STATE = GateStateEntry.__table__, GateStateState.__table__
NO_DAY = "~" * 8  # an `untils` slot with no day: sorts after every YYYYMMDD, so never "on or before" one
STATE_OF = {letter: rules.State(state) for state, letter in rules.LETTERS.items()}


def policy_key(policy: ReadinessPolicy, vetting: VettingPolicy) -> str:
    return fingerprint(policy, vetting)


def fresh(session, on: date, policy: ReadinessPolicy, vetting: VettingPolicy) -> bool:
    """True when the table holds everyone's gates for `on` under these policies (one query)."""
    return holds(session, STATE, on, policy_key(policy, vetting))


def matching(policy: ReadinessPolicy, on: date, gate_code: str | None, state: str | None, within: int | None):
    """The list filters as one condition on User and readiness_entries (joined on the person)."""
    index = {g.code: n for n, g in enumerate(policy.gates)}
    if gate_code is not None and gate_code not in index:
        return false()
    n = index.get(gate_code)
    conditions = []
    if state == "ready":  # as the partial index ix_readiness_entries_to_release says it, so that it is used
        conditions.append(and_(ENTRIES.c.ready, not_(ENTRIES.c.released)))
    elif state == "released":
        conditions.append(ENTRIES.c.released)
    elif state:
        letter = rules.LETTERS[state]
        conditions.append(func.substr(ENTRIES.c.states, n + 1, 1) == letter if n is not None
                          else ENTRIES.c.states.contains(letter))
    if within is not None:
        horizon = on + timedelta(days=within)
        conditions.append(func.substr(ENTRIES.c.untils, 8 * n + 1, 8) <= horizon.strftime("%Y%m%d") if n is not None
                          else ENTRIES.c.soonest <= horizon)
    return and_(true(), *conditions)


def readiness_from(states: str, untils: str, policy: ReadinessPolicy, on: date) -> rules.Readiness:
    """An entry's columns as a Readiness (each gate's state and good-until day; no evidence words)."""
    outcomes = []
    for n, gate in enumerate(policy.gates):
        slot = untils[8 * n:8 * n + 8]
        until = None if slot == NO_DAY else date(int(slot[:4]), int(slot[4:6]), int(slot[6:]))
        outcomes.append(rules.GateOutcome(gate, STATE_OF[states[n]], "", until))
    return rules.Readiness(tuple(outcomes), on)


def readiness_of(session, ids: list[int], policy: ReadinessPolicy, on: date) -> dict[int, rules.Readiness]:
    """The kept gates of these people (one query); anyone without an entry is left out."""
    if not ids:
        return {}
    rows = session.execute(select(ENTRIES.c.person_id, ENTRIES.c.states, ENTRIES.c.untils)
                           .where(ENTRIES.c.person_id.in_(ids)))
    return {p: readiness_from(s, u, policy, on) for p, s, u in rows if len(s) == len(policy.gates)}
