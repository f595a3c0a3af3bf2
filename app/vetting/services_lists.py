"""Each volunteer's work lists, kept in a table (vetting_list_entries), so that the work list page counts and pages
the few thousand people on some list instead of working every list out from everyone's records on each request.

What the table holds is always what the rules say (`rules_summaries.categories`) for the one day and policy that
the one row of vetting_list_state names:

- `ensure(today, policy)`, called by the page (and by `flask vetting remind`, which runs daily), rewrites every
  volunteer's lists when the state names another day or policy (the first page of the day does it): one
  INSERT ... SELECT of the lists' SQL (`queries_lists.listed`, tested against the rules for every list). A
  conditional UPDATE of the state row claims the rewrite, so two at once rewrite once: the other waits for the
  row, finds it done, and reads what the first wrote.
- Every commit that changes someone's vetting records, or makes them a volunteer, works that person's lists out
  again by the rules before it commits (`_keep`), for the day the state names, under the policy in force. It holds
  the state row (FOR SHARE) and then the person's entry (FOR UPDATE) before it reads their records, so a rewrite
  cannot commit between its reading and its writing, and two changes to one person at once take turns (each
  reads the other's records once it has its turn). SQLite takes one writer at a time anyway.
- The people a member of staff may see are never kept: the page joins the entries with them as it reads.

Only the ORM writes vetting records (retention's bulk updates blank text that no list reads); `forget()` marks the
table out of date for anything that writes them another way (`flask seed-scale`).
"""
import hashlib
from datetime import date

from sqlalchemy import bindparam, delete, event, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from app.auth.models import Role, User, UserRole
from app.db_types import upsert, utcnow
from app.extensions import db
from app.vetting.models import (
    DbsCheck,
    DbsConfirmation,
    DbsDecision,
    NppvChange,
    PoliceVetting,
    StatusCheck,
    WorkListEntry,
    WorkListState,
)
from app.vetting.policy import VettingPolicy, current_policy
from app.vetting.queries_facts import vetting_facts
from app.vetting.queries_lists import Listed, listed
from app.vetting.rules_summaries import categories, category_labels

ENTRIES, STATE = WorkListEntry.__table__, WorkListState.__table__
_SEEN, _BUSY = "vetting_lists_seen", "vetting_lists_busy"  # session.info keys


def policy_key(policy: VettingPolicy) -> str:
    """The policy's fingerprint (every field, as its repr prints them)."""
    return hashlib.sha256(repr(policy).encode()).hexdigest()


def _fresh(on_day, key, today: date, policy: VettingPolicy) -> bool:
    return on_day == today and key == policy_key(policy)


# ---------------------------------------------------------------- everyone, once a day


def ensure(today: date, policy: VettingPolicy) -> bool:
    """Make the table hold `today`'s lists under `policy`; True when this call rewrote them (and committed)."""
    found = db.session.execute(select(STATE.c.on_day, STATE.c.policy_key).where(STATE.c.id == 1)).first()
    if found is not None and _fresh(found.on_day, found.policy_key, today, policy):
        return False
    return refresh(today, policy)


def refresh(today: date, policy: VettingPolicy) -> bool:
    """Rewrite every volunteer's lists for `today`, unless another run has just done so; commits."""
    db.session.execute(upsert(STATE).values(id=1).on_conflict_do_nothing(index_elements=["id"]))  # the row, if an emptied table has lost it
    key = policy_key(policy)
    claimed = db.session.execute(
        update(STATE).where(STATE.c.id == 1, or_(STATE.c.on_day.is_(None), STATE.c.on_day != today,
                                                 STATE.c.policy_key.is_(None), STATE.c.policy_key != key))
        .values(on_day=today, policy_key=key, refreshed_at=utcnow())).rowcount
    if not claimed:  # another run rewrote them while this one waited for the row
        db.session.commit()
        return False
    db.session.execute(delete(ENTRIES))
    volunteers = select(UserRole.user_id).where(UserRole.role == Role.VOLUNTEER)
    everyone = select(User.id).select_from(UserRole).join(User, User.id == UserRole.user_id).where(
        UserRole.role == Role.VOLUNTEER)
    found = listed(everyone, policy, today, among=volunteers)
    bits = sum((found.table.c[name] * (1 << n) for n, name in enumerate(found.columns.values())), literal(0))
    db.session.execute(insert(ENTRIES).from_select(["person_id", "lists"],
                                                    select(found.person_id, bits).select_from(found.table)))
    db.session.commit()
    return True


def forget() -> None:
    """Mark the kept lists out of date (for writes that bypass the ORM): the next page rewrites them."""
    db.session.execute(update(STATE).values(on_day=None, policy_key=None))


# ---------------------------------------------------------------- the page's read


def kept(people, who: list, policy: VettingPolicy) -> Listed:
    """The people of `people` (a SELECT of User.id: volunteers meeting the conditions `who` on User) on some list,
    with a 0/1 column per list, as `queries_lists.listed` gives them, read from the table (`ensure` first).

    Found from the entries of the people on some list (about 8,000 of 35,000 volunteers at 50,000 people), each
    tested for `who` and the volunteer role, not from every volunteer in scope looked up in the entries."""
    keys = list(category_labels(policy))
    columns = {key: f"list_{n}" for n, key in enumerate(keys)}
    bit = lambda n: ENTRIES.c.lists.bitwise_and(1 << n).bitwise_rshift(n)  # noqa: E731  (0 or 1)
    volunteer = exists(select(literal(1)).where(UserRole.user_id == ENTRIES.c.person_id, UserRole.role == Role.VOLUNTEER))
    table = (select(ENTRIES.c.person_id, *[bit(n).label(columns[k]) for n, k in enumerate(keys)], User.full_name)
             .join(User, User.id == ENTRIES.c.person_id).where(ENTRIES.c.lists != 0, volunteer, *who)
             .cte("lists").prefix_with("MATERIALIZED"))
    return Listed(table, columns, select(func.count()).select_from(people.subquery("everyone")).scalar_subquery())


# ---------------------------------------------------------------- one person, on each change to their records


@event.listens_for(Session, "after_flush")
def _note(session, flush_context) -> None:
    """Note whose records this flush changed (resolved to people at commit: a status check names its DBS check)."""
    seen = session.info.setdefault(_SEEN, {"people": set(), "checks": set(), "decisions": set(), "vettings": set()})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, DbsCheck | PoliceVetting):
            seen["people"].add(obj.volunteer_id)
        elif isinstance(obj, StatusCheck | DbsDecision):
            seen["checks"].add(obj.dbs_check_id)
        elif isinstance(obj, DbsConfirmation):
            seen["decisions"].add(obj.decision_id)
        elif isinstance(obj, NppvChange):
            seen["vettings"].add(obj.police_vetting_id)
        elif isinstance(obj, UserRole) and obj.role == Role.VOLUNTEER:
            seen["people"].add(obj.user_id)


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    session.info.pop(_SEEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    """Forget what was noted once the whole transaction is rolled back (a savepoint's leaves the rest to keep)."""
    if previous_transaction.parent is None:
        session.info.pop(_SEEN, None)


@event.listens_for(Session, "before_commit")
def _keep(session) -> None:
    """Work out again the lists of the people whose records this transaction changed, before it commits."""
    if session.info.get(_BUSY):
        return
    session.flush()  # anything still pending is noted too
    seen = session.info.pop(_SEEN, None)
    if not seen or not any(seen.values()):
        return
    session.info[_BUSY] = True
    try:
        _keep_people(session, seen)
    finally:
        session.info.pop(_BUSY, None)


def _keep_people(session, seen: dict) -> None:
    state = session.execute(select(STATE.c.on_day, STATE.c.policy_key).where(STATE.c.id == 1)
                            .with_for_update(read=True)).first()
    policy = current_policy()
    if state is None or state.on_day is None or state.policy_key != policy_key(policy):
        return  # nothing kept under this policy: the next page rewrites everyone's
    today = state.on_day  # the day the table holds (an earlier one is rewritten by the next page)
    owners = {  # whose record each noted part is
        "checks": lambda ids: select(DbsCheck.volunteer_id).where(DbsCheck.id.in_(ids)),
        "decisions": lambda ids: (select(DbsCheck.volunteer_id)
                                  .join(DbsDecision, DbsDecision.dbs_check_id == DbsCheck.id).where(DbsDecision.id.in_(ids))),
        "vettings": lambda ids: select(PoliceVetting.volunteer_id).where(PoliceVetting.id.in_(ids)),
    }
    people = set(seen["people"])
    for kind, owner in owners.items():
        if seen[kind]:
            people |= set(session.scalars(owner(sorted(seen[kind]))))
    people = sorted(p for p in people if p is not None)
    if not people:
        return
    # Hold each entry (made if missing) before reading the records: in id order, so changes never deadlock.
    session.execute(upsert(ENTRIES).values([{"person_id": p, "lists": 0} for p in people])
                    .on_conflict_do_nothing(index_elements=["person_id"]))
    session.execute(select(ENTRIES.c.person_id).where(ENTRIES.c.person_id.in_(people))
                    .order_by(ENTRIES.c.person_id).with_for_update()).all()
    keys = list(category_labels(policy))
    records = vetting_facts(people)
    rows = []
    for person in people:
        found = categories(*records.get(person, ([], [])), policy, today)
        rows.append({"person": person, "bits": sum(1 << n for n, key in enumerate(keys) if key in found)})
    session.execute(update(ENTRIES).where(ENTRIES.c.person_id == bindparam("person"))
                    .values(lists=bindparam("bits")), rows)
