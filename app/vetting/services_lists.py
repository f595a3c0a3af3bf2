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
from datetime import date

from sqlalchemy import delete, exists, func, insert, literal, select

from app.auth.models import Role, User, UserRole
from app.db_types import utcnow
from app.extensions import db
from app.kept import claim, fingerprint, hold, holds, register, state_row, write
from app.kept import forget as forget_kept
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


def policy_key(policy: VettingPolicy) -> str:
    """The policy's fingerprint (every field, as its repr prints them)."""
    return fingerprint(policy)


# ---------------------------------------------------------------- everyone, once a day


def ensure(today: date, policy: VettingPolicy) -> bool:
    """Make the table hold `today`'s lists under `policy`; True when this call rewrote them (and committed)."""
    if holds(db.session, STATE, today, policy_key(policy)):
        return False
    return refresh(today, policy)


def refresh(today: date, policy: VettingPolicy) -> bool:
    """Rewrite every volunteer's lists for `today`, unless another run has just done so; commits."""
    key = policy_key(policy)
    if not claim(db.session, STATE, today, key, on_day=today, policy_key=key, refreshed_at=utcnow()):
        # another run rewrote them while this one waited for the row
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
    forget_kept(db.session, STATE)


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


def noted(obj):
    """Whose records a changed object is part of (app/kept.py resolves the kinds to people at commit: a status
    check names its DBS check)."""
    if isinstance(obj, DbsCheck | PoliceVetting):
        return "people", obj.volunteer_id
    if isinstance(obj, StatusCheck | DbsDecision):
        return "checks", obj.dbs_check_id
    if isinstance(obj, DbsConfirmation):
        return "decisions", obj.decision_id
    if isinstance(obj, NppvChange):
        return "vettings", obj.police_vetting_id
    if isinstance(obj, UserRole) and obj.role == Role.VOLUNTEER:
        return "people", obj.user_id
    return None


OWNERS = {  # whose record each noted part is
    "checks": lambda ids: select(DbsCheck.volunteer_id).where(DbsCheck.id.in_(ids)),
    "decisions": lambda ids: (select(DbsCheck.volunteer_id)
                              .join(DbsDecision, DbsDecision.dbs_check_id == DbsCheck.id).where(DbsDecision.id.in_(ids))),
    "vettings": lambda ids: select(PoliceVetting.volunteer_id).where(PoliceVetting.id.in_(ids)),
}


def _keep_people(session, people: list[int]) -> None:
    """Work out again the lists of the people whose records this transaction changed, before it commits."""
    state = state_row(session, STATE, for_share=True)
    policy = current_policy()
    if state is None or state.on_day is None or state.policy_key != policy_key(policy):
        return  # nothing kept under this policy: the next page rewrites everyone's
    today = state.on_day  # the day the table holds (an earlier one is rewritten by the next page)
    hold(session, ENTRIES, people, {"lists": 0})  # each entry held (made if missing) before the records are read
    keys = list(category_labels(policy))
    records = vetting_facts(people)
    rows = {}
    for person in people:
        found = categories(*records.get(person, ([], [])), policy, today)
        rows[person] = {"lists": sum(1 << n for n, key in enumerate(keys) if key in found)}
    write(session, ENTRIES, rows)


register("vetting_lists", noted, OWNERS, _keep_people, STATE)
