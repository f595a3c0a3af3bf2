"""Tables kept per person (vetting work lists, readiness gate states, volunteers' stages): whose records a
transaction changed, noted as it flushes and worked out again before it commits.

A keeper registers what it watches: `note(obj)` gives (kind, id) for a changed object whose records it keeps
(kind "people" when the id is the person's own; another kind names a record whose owner `owners[kind]` looks up,
as a SELECT of person ids for a list of that record's ids), and `keep(session, people)` works out those people's
rows again, inside the transaction, before it commits. A rolled-back transaction forgets what it noted (a
savepoint's rollback leaves the rest to keep). Writes that bypass the ORM say whose records they changed with
`note_people`.
"""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, event, or_, select, update
from sqlalchemy.orm import Session

from app.db_types import upsert


@dataclass(frozen=True)
class Keeper:
    name: str
    note: Callable[[object], tuple[str, int] | None]
    owners: dict[str, Callable]
    keep: Callable[[Session, list[int]], None]
    state: Table  # the one-row state table naming the day and policies the rows hold for

    @property
    def seen_key(self) -> str:
        return f"kept_{self.name}_seen"

    @property
    def busy_key(self) -> str:
        return f"kept_{self.name}_busy"


KEEPERS: list[Keeper] = []


def register(name: str, note, owners: dict[str, Callable], keep, state: Table) -> Keeper:
    keeper = Keeper(name, note, owners, keep, state)
    KEEPERS.append(keeper)
    return keeper


def forget(session, state: Table) -> None:
    """Mark a kept table out of date (for writes that bypass the ORM): it names no day, so nothing reads it until
    it is rewritten."""
    session.execute(update(state).values({c.name: None for c in state.c if c.name.endswith(("_day", "_key"))}))


def forget_all(session) -> None:
    """Every kept table out of date (`flask seed-scale`, which writes everyone's records in bulk)."""
    for keeper in KEEPERS:
        forget(session, keeper.state)


def _seen(session, keeper: Keeper) -> dict[str, set[int]]:
    return session.info.setdefault(keeper.seen_key, {})


def note_people(session, ids, names: tuple[str, ...] | None = None) -> None:
    """Note that these people's records changed by a write the ORM did not see (all keepers, or those named)."""
    for keeper in KEEPERS:
        if names is None or keeper.name in names:
            _seen(session, keeper).setdefault("people", set()).update(ids)


@event.listens_for(Session, "after_flush")
def _note(session, flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    for keeper in KEEPERS:
        seen = None
        for obj in changed:
            found = keeper.note(obj)
            if found is not None and found[1] is not None:
                seen = _seen(session, keeper) if seen is None else seen
                seen.setdefault(found[0], set()).add(found[1])


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    for keeper in KEEPERS:
        session.info.pop(keeper.seen_key, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for keeper in KEEPERS:
            session.info.pop(keeper.seen_key, None)


@event.listens_for(Session, "before_commit")
def _keep(session) -> None:
    session.flush()  # anything still pending is noted too
    owned: dict[tuple, set[int]] = {}
    for keeper in KEEPERS:
        if session.info.get(keeper.busy_key):
            continue
        seen = session.info.pop(keeper.seen_key, None)
        if not seen or not any(seen.values()):
            continue
        session.info[keeper.busy_key] = True
        try:
            people = set(seen.get("people", ()))
            for kind, owner in keeper.owners.items():
                if seen.get(kind):
                    ids = tuple(sorted(seen[kind]))
                    if (kind, ids) not in owned:  # keepers share kinds (vetting's): each looked up once a commit
                        owned[(kind, ids)] = set(session.scalars(owner(list(ids))))
                    people |= owned[(kind, ids)]
            people.discard(None)
            if people:
                keeper.keep(session, sorted(people))
        finally:
            session.info.pop(keeper.busy_key, None)


# ---------------------------------------------------------------- the pieces every kept table's keeper uses


def fingerprint(*policies) -> str:
    """The policies' fingerprint (every field, as their reprs print them): a kept table names the one it holds for."""
    return hashlib.sha256(repr(policies).encode()).hexdigest()


def state_row(session, state, for_share: bool = False):
    """The one row (id 1) of a kept table's state; held FOR SHARE by a change to someone's rows, so that a
    rewrite (which updates the row first) and the change take turns."""
    query = select(state).where(state.c.id == 1)
    return session.execute(query.with_for_update(read=True) if for_share else query).first()


def holds(session, state, on, key: str) -> bool:
    """True when a kept table holds everyone's rows for day `on` under policies `key` (one query)."""
    found = state_row(session, state)
    return found is not None and found.on_day == on and found.policy_key == key


def claim(session, state, on, key: str, **values) -> bool:
    """Claim a rewrite of the table for day `on` under policies `key`: one conditional UPDATE of the state row
    (made if an emptied table has lost it), so of two at once one claims it and the other, waiting for the row,
    finds it done. `values` are what the claim writes (by default the day and key themselves)."""
    session.execute(upsert(state).values(id=1).on_conflict_do_nothing(index_elements=["id"]))
    return bool(session.execute(
        update(state).where(state.c.id == 1, or_(state.c.on_day.is_(None), state.c.on_day != on,
                                                 state.c.policy_key.is_(None), state.c.policy_key != key))
        .values(**(values or {"on_day": on, "policy_key": key}))).rowcount)


def hold(session, entries, people: list[int], blank: dict) -> None:
    """Hold these people's rows of a kept table, each made first (as `blank`) if missing: in id order, so two
    changes never deadlock, and before their records are read, so a change that commits meanwhile is read."""
    session.execute(upsert(entries).values([{"person_id": p, **blank} for p in people])
                    .on_conflict_do_nothing(index_elements=["person_id"]))
    session.execute(select(entries.c.person_id).where(entries.c.person_id.in_(people))
                    .order_by(entries.c.person_id).with_for_update()).all()


def write(session, entries, rows: dict[int, dict]) -> None:
    """Write each person's row of a kept table (person id -> column values), in one executemany UPDATE."""
    if not rows:
        return
    columns = list(next(iter(rows.values())))
    session.execute(update(entries).where(entries.c.person_id == bindparam("person"))
                    .values({c: bindparam(f"v_{c}") for c in columns}),
                    [{"person": p, **{f"v_{c}": v for c, v in values.items()}} for p, values in rows.items()])
