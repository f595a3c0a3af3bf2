"""Each person's stage on the volunteers list, kept in a table (people_stage_entries), so that the list by stage
reads one row per person instead of working every stage out for everyone in scope on each request.

What the table holds is always what the list's own SQL says (`queries.stage`, one CASE expression) for the day and
policies that the one row of people_stage_state names:

- `ensure(today)`, called by the page, rewrites everyone's when the state names another day or policies (the
  first list of the day does it: one INSERT ... SELECT of the stage SQL, about a second at 50,000 people). A
  conditional UPDATE of the state row claims the rewrite, so two at once rewrite once.
- Every commit that changes someone's applications, DBS or police vetting, completions, standing, pairings or
  volunteer role works their stage out again, with the same SQL, before it commits (`_keep`, through
  app/kept.py), holding the state row (FOR SHARE) and then their entry (FOR UPDATE) first, as the vetting work
  lists and readiness states do.
- Who a member of staff may see is never kept: the page joins the entries with them as it reads.

`forget()` marks the table out of date for writes that bypass the ORM (`flask seed-scale`).
"""
from datetime import date

from sqlalchemy import delete, insert, select, union

from app.applications.models import Application
from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from app.kept import claim, fingerprint, hold, holds, register, state_row, write
from app.kept import forget as forget_kept
from app.people import queries
from app.people.models import StageEntry, StageState
from app.people.rules import Stage
from app.readiness.models import MentorStanding, Pairing
from app.readiness.policy import current_policy as readiness_policy
from app.training.models import Completion
from app.vetting import services_lists
from app.vetting.policy import current_policy as vetting_policy

ENTRIES, STATE = StageEntry.__table__, StageState.__table__


def policy_key() -> str:
    return fingerprint(vetting_policy(), readiness_policy())


def fresh(today: date) -> bool:
    """True when the table holds everyone's stages for `today` under today's policies (one query)."""
    return holds(db.session, STATE, today, policy_key())


def ensure(today: date) -> bool:
    """Make the table hold `today`'s stages (the first call of the day rewrites them, and commits); True when it
    does (False only when the policies changed while it rewrote)."""
    if fresh(today):
        return True
    refresh(today)
    return fresh(today)


def refresh(today: date) -> bool:
    """Rewrite everyone's stages for `today`, unless another run has just done so; commits."""
    if not claim(db.session, STATE, today, policy_key(), on_day=today, policy_key=policy_key(),
                 refreshed_at=utcnow()):
        db.session.commit()
        return False
    db.session.execute(delete(ENTRIES))
    db.session.execute(insert(ENTRIES).from_select(
        ["person_id", "stage"], select(User.id, queries.stage(today)).where(queries.people())))
    db.session.commit()
    return True


def forget() -> None:
    """Mark the kept stages out of date (for writes that bypass the ORM): the next list rewrites them."""
    forget_kept(db.session, STATE)


# ---------------------------------------------------------------- one person, on each change to their records


def _noted(obj):
    """Whose stage a changed object is part of (vetting's records as services_lists names them)."""
    if isinstance(obj, Application | Completion):
        return "people", obj.user_id
    if isinstance(obj, MentorStanding):
        return "people", obj.volunteer_id
    if isinstance(obj, Pairing):
        return "pairings", obj.id
    return services_lists.noted(obj)


OWNERS = services_lists.OWNERS | {
    "pairings": lambda ids: union(select(Pairing.first_id).where(Pairing.id.in_(ids)),
                                  select(Pairing.second_id).where(Pairing.id.in_(ids))),
}


def _keep_people(session, people: list[int]) -> None:
    state = state_row(session, STATE, for_share=True)
    if state is None or state.on_day is None or state.policy_key != policy_key():
        return  # nothing kept under these policies: the next list rewrites everyone's
    hold(session, ENTRIES, people, {"stage": Stage.NONE.value})
    found = dict(session.execute(select(User.id, queries.stage(state.on_day)).where(User.id.in_(people))).all())
    write(session, ENTRIES, {p: {"stage": found.get(p, Stage.NONE.value)} for p in people})


register("people_stages", _noted, OWNERS, _keep_people, STATE)
