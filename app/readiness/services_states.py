"""Each volunteer's readiness gate states, kept in a table (readiness_entries), so that the readiness list and its
CSV read a person's gates from one row instead of deciding every gate for everyone in scope on each request.

What the table holds is what the rules say (`queries.readiness_for`, the same loaders and Decider as every other
page) for the day and policies that the one row of readiness_state names:

- `refresh(on)`, run by `flask readiness sweep` (daily), rewrites everyone's a batch at a time, each batch its own
  short transaction: it first marks the state as being rebuilt for `on` (`building_day`), then decides each
  batch with its entries held (FOR UPDATE), and at the end names `on` as the day the table holds. Until then the
  pages decide from the records as before (queries_states' SQL), so a half-done or failed rewrite is never read.
- Every commit that changes someone's readiness records (application, references, identity, self-declaration,
  DBS and police vetting, courses completed, agreement, induction, emergency contact, standing, or the
  volunteer role)
  works that person's gates out again before it commits (`_keep`, through app/kept.py), for the day being built
  or else the day held. It holds the state row (FOR SHARE) and then the person's entry (FOR UPDATE) before it
  reads their records, so neither a rewrite's batch nor another change to the same person can leave an old
  answer. SQLite takes one writer at a time anyway.
- Who is released is kept beside the gates (the ready list is the few ready and not released, found from a
  partial index). The people a member of staff may see are never kept: the page joins them as it reads.

Writes that bypass the ORM say whose records they changed (`app.kept.note_people`), or mark the table out of date
(`forget()`, as `flask seed-scale` does).
"""
from datetime import date

from sqlalchemy import delete, exists, false, literal, select, update
from tqdm import tqdm

from app.applications.models import Application, Referee
from app.auth.models import Role, UserRole
from app.db_types import upsert, utcnow
from app.extensions import db
from app.kept import claim, hold, register, state_row, write
from app.kept import forget as forget_kept
from app.readiness import queries, rules
from app.readiness.models import AgreementSignature, EmergencyContact, Induction, MentorStanding, Standing
from app.readiness.policy import ReadinessPolicy, current_policy
from app.readiness.queries_export import collector_paused
from app.readiness.queries_kept import ENTRIES, NO_DAY, STATE, policy_key
from app.training.models import Completion
from app.vetting import services_lists
from app.vetting.models import (
    IdentityCheck,
    SelfDeclaration,
)
from app.vetting.policy import current_policy as vetting_policy

BATCH = 5000  # volunteers decided per transaction of the rewrite (as many as the CSV export reads at a time)


def entry_values(readiness: rules.Readiness, released: bool) -> dict:
    """A Readiness, and whether the person is released, as the columns of their entry."""
    outcomes = readiness.outcomes
    good_ends = [o.until for o in outcomes if o.state.good and o.until is not None]
    return {
        "states": "".join(rules.LETTERS[o.state] for o in outcomes),
        "untils": "".join(o.until.strftime("%Y%m%d") if o.state.good and o.until else NO_DAY for o in outcomes),
        "ready": readiness.ready, "until": readiness.until, "soonest": min(good_ends, default=None),
        "released": released}


def _write(session, people: list[int], on: date, policy: ReadinessPolicy, decider=None, ranged=False) -> None:
    """Hold these people's entries (made if missing, in id order: never a deadlock), then decide and write them.

    `people` in id order. A rewrite's batch (`ranged`: every volunteer from the first id to the last) is made
    and held as that range, a statement each however many there are (a row of VALUES per person took 4 to 6 s
    of a rewrite at 50,000)."""
    if ranged:
        first, last = people[0], people[-1]
        missing = (select(UserRole.user_id, literal(""), literal(""), false())
                   .where(UserRole.role == Role.VOLUNTEER, UserRole.user_id.between(first, last),
                          ~exists().where(ENTRIES.c.person_id == UserRole.user_id)))
        session.execute(upsert(ENTRIES).from_select(["person_id", "states", "untils", "ready"], missing)
                        .on_conflict_do_nothing(index_elements=["person_id"]))
        session.execute(select(ENTRIES.c.person_id).where(ENTRIES.c.person_id.between(first, last))
                        .order_by(ENTRIES.c.person_id).with_for_update()).all()
    else:
        hold(session, ENTRIES, people, {"states": "", "untils": "", "ready": False})
    found = queries.readiness_for(people, on, policy, decider=decider)
    released = set(session.scalars(select(MentorStanding.volunteer_id).where(
        MentorStanding.status == Standing.RELEASED,
        MentorStanding.volunteer_id.between(people[0], people[-1]) if ranged else MentorStanding.volunteer_id.in_(people))))
    write(session, ENTRIES, {p: entry_values(found[p], p in released) for p in people})


# ---------------------------------------------------------------- everyone, once a day


def refresh(on: date, progress: bool = False) -> bool:
    """Rewrite every volunteer's gates for `on`, a batch per transaction; False when they already hold `on`.
    Commits."""
    policy, vetting = current_policy(), vetting_policy()
    key = policy_key(policy, vetting)
    claimed = claim(db.session, STATE, on, key, building_day=on, building_key=key)
    volunteers = select(UserRole.user_id).where(UserRole.role == Role.VOLUNTEER)
    if claimed:
        db.session.execute(delete(ENTRIES).where(ENTRIES.c.person_id.not_in(volunteers)))
    db.session.commit()
    if not claimed:
        return False
    ids = list(db.session.scalars(volunteers.order_by(UserRole.user_id)))
    decider = rules.Decider(policy, vetting, on)  # shared by the batches: each distinct set of facts decided once
    for start in tqdm(range(0, len(ids), BATCH), desc="readiness states", disable=not progress):
        with collector_paused():
            _write(db.session, ids[start:start + BATCH], on, policy, decider, ranged=True)
        db.session.commit()
    db.session.execute(update(STATE).where(STATE.c.id == 1, STATE.c.building_day == on, STATE.c.building_key == key)
                       .values(on_day=on, policy_key=key, building_day=None, building_key=None, refreshed_at=utcnow()))
    db.session.commit()
    return True


def forget() -> None:
    """Mark the kept states out of date (for writes that bypass the ORM): pages decide from the records until the
    next rewrite."""
    forget_kept(db.session, STATE)


# ---------------------------------------------------------------- one person, on each change to their records

_DIRECT = (IdentityCheck, SelfDeclaration, AgreementSignature, Induction, EmergencyContact)


def _noted(obj):
    """Whose readiness records a changed object is part of (vetting's kinds as services_lists names them)."""
    if isinstance(obj, _DIRECT):
        return "people", obj.volunteer_id
    if isinstance(obj, MentorStanding):
        return "people", obj.volunteer_id
    if isinstance(obj, Application | Completion):
        return "people", obj.user_id
    if isinstance(obj, Referee):
        return "applications", obj.application_id
    return services_lists.noted(obj)


OWNERS = services_lists.OWNERS | {
    "applications": lambda ids: select(Application.user_id).where(Application.id.in_(ids))}


def _keep_people(session, people: list[int]) -> None:
    state = state_row(session, STATE, for_share=True)
    if state is None:
        return
    policy = current_policy()
    key = policy_key(policy, vetting_policy())
    if state.building_day is not None and state.building_key == key:
        on = state.building_day  # a rewrite is under way: its batches and this change agree on the day
    elif state.on_day is not None and state.policy_key == key:
        on = state.on_day
    else:
        return  # nothing kept under these policies: pages decide from the records
    _write(session, people, on, policy)


register("readiness_states", _noted, OWNERS, _keep_people, STATE)
