"""The coordinators' work list, in a fixed number of queries that does not grow with the number of volunteers.

The database counts every list and finds the page of the list asked for (`queries_lists`: each list's rule
written once in SQL, the twin of `rules_summaries.categories`). Only the people on the page have their records
loaded, for the rules to say which lists they are on and whether their vetting is good.
"""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, literal, select, true
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User, UserRole
from app.core.models import Area, user_areas
from app.extensions import db
from app.pagination import govuk_pagination, page_number
from app.permissions import area_scope, people_in_area_scope
from app.vetting import rules
from app.vetting.policy import VettingPolicy
from app.vetting.queries_lists import flag, listed
from app.vetting.rules_summaries import categories, category_labels
from app.vetting.services import facts_for, load_records

NEEDS_SOMETHING, EVERYONE = "", "all"


class ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list of ids already in memory (the readiness lists use it)."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        return self._query_args["data"][start:start + self.per_page]

    def _query_count(self):
        return len(self._query_args["data"])


class PagePagination(Pagination):
    """Flask-SQLAlchemy's pagination over a page the database found, with the total it already counted."""

    def _query_items(self):
        return self._query_args["items"]

    def _query_count(self):
        return self._query_args["total"]


@dataclass(frozen=True)
class Row:
    volunteer: User
    lists: list[str]
    gate: rules.GateResult


# ---------------------------------------------------------------- the page


def _filters(form, policy: VettingPolicy, scope: tuple[int, ...] | None) -> tuple[str, int | None, dict[str, str]]:
    labels = category_labels(policy)
    form.show.choices = [(NEEDS_SOMETHING, "Needs something doing"), (EVERYONE, "All volunteers"),
                         *labels.items()]
    areas = db.session.scalars(select(Area).where(Area.id.in_(scope) if scope is not None else true())
                               .order_by(Area.position)).all()
    form.area.choices = [("", "All areas" if scope is None else "All your areas")] + [(str(a.id), a.name) for a in areas]
    if not form.validate():
        return NEEDS_SOMETHING, None, labels
    return form.show.data or NEEDS_SOMETHING, int(form.area.data) if form.area.data else None, labels


def _people(staff_id: int, scope: tuple[int, ...] | None, area_id: int | None):
    """The ids of the active volunteers a member of staff (`staff_id`, seeing the areas `scope`, None for all)
    may see, never their own record (nobody vets themself). Found from the volunteers' role grants (the index
    on user_roles (role, user_id)) rather than by testing every user for the role."""
    people = (select(User.id).select_from(UserRole).join(User, User.id == UserRole.user_id)
              .where(UserRole.role == Role.VOLUNTEER, User.deactivated_at.is_(None), User.id != staff_id,
                     people_in_area_scope(scope)))
    if area_id is not None:
        people = people.where(people_in_area_scope([area_id]))
    return people


@lru_cache(maxsize=128)
def _lists(dialect: str, staff_id: int, scope: tuple[int, ...] | None, area_id: int | None,
           policy: VettingPolicy, today: date):
    """The people and their lists (`queries_lists.listed`) as SQL, built once per member of staff, scope, area,
    policy and day, not on every request: building the statement (about 30 terms) took a third of the page's
    time at any size. `dialect` is in the key because the statement is written for it. The values are SQL
    expressions only, never rows: what they find is read afresh by every request."""
    people = _people(staff_id, scope, area_id)
    return people, listed(people, policy, today, **_narrowed(scope, area_id))


def _narrowed(scope: tuple[int, ...] | None, area_id: int | None) -> dict:
    """Where `queries_lists.listed` may look for the people it counts: the people of the areas asked for or
    covered, when there are some, else every volunteer."""
    areas = [area_id] if area_id is not None else (list(scope) if scope is not None else None)
    if areas is None:
        return {"among": select(UserRole.user_id).where(UserRole.role == Role.VOLUNTEER)}
    # Everyone in the areas, applicants too (dropped later with whoever is not in `people`): testing each for the
    # volunteer role here made SQLite scan every role grant instead.
    return {"among": select(user_areas.c.user_id).where(user_areas.c.area_id.in_(areas or [-1])),
            "within": lambda person_id: exists(select(literal(1)).where(
                user_areas.c.user_id == person_id, user_areas.c.area_id.in_(areas or [-1])))}


def build(form, policy: VettingPolicy, today: date, staff, per_page: int = 25) -> dict:
    """The rows, counts and pager for the work list page: only the people `staff` may see, never their own
    record (nobody vets themself)."""
    scope = area_scope(staff)
    scope = tuple(scope) if scope is not None else None
    show, area_id, labels = _filters(form, policy, scope)
    people, lists = _lists(db.engine.dialect.name, staff.id, scope, area_id, policy, today)
    page = page_number()
    offset = (page - 1) * per_page
    if show == EVERYONE:
        ids = db.session.scalars(people.order_by(User.full_name, User.id).offset(offset).limit(per_page)).all()
        everyone, needing, counts = _counts(lists)
    else:
        ids, (everyone, needing, counts) = _page_and_counts(
            lists, lists.conditions[show] if show != NEEDS_SOMETHING else true(), offset, per_page)
    total = everyone if show == EVERYONE else needing if show == NEEDS_SOMETHING else counts[show]
    pager = PagePagination(page=page, per_page=per_page, error_out=False, total=total,
                           items=_users(ids))
    records = load_records([v.id for v in pager.items])
    rows = []
    for volunteer in pager.items:
        checks, police = facts_for(records.get(volunteer.id, ([], [])))
        found = categories(checks, police, policy, today)
        rows.append(Row(volunteer, [labels[k] for k in labels if k in found],
                        rules.evaluate_gate(checks, police, policy, today)))
    return {"pager": pager, "rows": rows, "pagination": govuk_pagination(pager, "vetting.work_list"),
            "counts": counts, "labels": labels, "show": show, "area_id": area_id}


def _page_and_counts(lists, condition, offset: int, limit: int) -> tuple[list[int], tuple]:
    """The ids of one page of the people on the lists meeting `condition` (by name), and the counts, in one
    SELECT: the counts are window totals over everyone on a list, so the lists are worked out once per request.

    The people meeting the condition sort first; a page past their end brings others, which are dropped. A
    page past everyone on a list brings no row, and then the counts are asked for on their own."""
    shown = flag(condition).label("shown")
    keys = list(lists.columns)
    totals = [lists.everyone, func.count().over(), *[func.sum(lists.table.c[lists.columns[k]]).over() for k in keys]]
    found = db.session.execute(
        select(lists.person_id, shown, *totals)
        .order_by(shown.desc(), lists.table.c.full_name, lists.person_id).offset(offset).limit(limit)).all()
    if not found:
        return [], _counts(lists)
    return [row[0] for row in found if row[1] == 1], _totals(keys, found[0][2:])


def _totals(keys, values) -> tuple[int, int, dict[str, int]]:
    return values[0] or 0, values[1] or 0, {k: n or 0 for k, n in zip(keys, values[2:], strict=True)}


def _counts(lists) -> tuple[int, int, dict[str, int]]:
    """How many people there are, how many are on any list, and how many on each list: conditional counts."""
    keys = list(lists.columns)
    return _totals(keys, db.session.execute(select(
        lists.everyone, func.count(), *[func.sum(lists.table.c[lists.columns[k]]) for k in keys])
        .select_from(lists.table)).one())


def _users(ids: list[int]) -> list[User]:
    """These users with their areas, in the order given."""
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids))
                                                 .options(selectinload(User.areas)))}
    return [found[i] for i in ids]
