"""The coordinators' work list, in a fixed number of queries that does not grow with the number of volunteers.

The database counts every list and finds the page of the list asked for from each volunteer's lists as kept
(`services_lists`: worked out by the rules on every change to their records, and for everyone once a day by
`queries_lists`, each list's rule written once in SQL, the twin of `rules_summaries.categories`). Only the people
on the page have their records read, for the rules to say which lists they are on and whether their vetting is
good.
"""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User, UserRole
from app.core.models import Area
from app.extensions import db
from app.pagination import govuk_pagination, page_number
from app.permissions import area_scope, people_in_area_scope
from app.vetting import rules, services_lists
from app.vetting.policy import VettingPolicy
from app.vetting.queries_facts import vetting_facts
from app.vetting.queries_lists import flag
from app.vetting.rules_summaries import categories, category_labels

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


def _who(staff_id: int, scope: tuple[int, ...] | None, area_id: int | None) -> list[ColumnElement[bool]]:
    """Which volunteers a member of staff (`staff_id`, seeing the areas `scope`, None for all) may see, as
    conditions on User: active, in scope (and in the area asked for), never their own record (nobody vets
    themself)."""
    who = [User.deactivated_at.is_(None), User.id != staff_id, people_in_area_scope(scope)]
    if area_id is not None:
        who.append(people_in_area_scope([area_id]))
    return who


def _people(staff_id: int, scope: tuple[int, ...] | None, area_id: int | None):
    """The ids of the volunteers `_who` allows, found from the volunteers' role grants (the index on user_roles
    (role, user_id)) rather than by testing every user for the role."""
    return (select(User.id).select_from(UserRole).join(User, User.id == UserRole.user_id)
            .where(UserRole.role == Role.VOLUNTEER, *_who(staff_id, scope, area_id)))


@lru_cache(maxsize=128)
def _lists(dialect: str, staff_id: int, scope: tuple[int, ...] | None, area_id: int | None, policy: VettingPolicy):
    """The people and their lists, as kept (`services_lists.kept`), as SQL built once per member of staff, scope,
    area and policy, not on every request. `dialect` is in the key because the statement is written for it. The
    values are SQL expressions only, never rows: what they find is read afresh by every request."""
    people = _people(staff_id, scope, area_id)
    return people, services_lists.kept(people, _who(staff_id, scope, area_id), policy)


def build(form, policy: VettingPolicy, today: date, staff, per_page: int = 25) -> dict:
    """The rows, counts and pager for the work list page: only the people `staff` may see, never their own
    record (nobody vets themself)."""
    scope = area_scope(staff)
    scope = tuple(scope) if scope is not None else None
    show, area_id, labels = _filters(form, policy, scope)
    services_lists.ensure(today, policy)
    people, lists = _lists(db.engine.dialect.name, staff.id, scope, area_id, policy)
    page = page_number()
    offset = (page - 1) * per_page
    if show == EVERYONE:
        ids = db.session.scalars(people.order_by(User.full_name, User.id).offset(offset).limit(per_page)).all()
        everyone, needing, counts = _counts(lists, everyone=True)
    else:
        ids, (everyone, needing, counts) = _page_and_counts(
            lists, lists.conditions[show] if show != NEEDS_SOMETHING else true(), offset, per_page)
    total = everyone if show == EVERYONE else needing if show == NEEDS_SOMETHING else counts[show]
    pager = PagePagination(page=page, per_page=per_page, error_out=False, total=total,
                           items=_users(ids))
    records = vetting_facts([v.id for v in pager.items]) if pager.items else {}  # as rows: no model objects
    rows = []
    for volunteer in pager.items:
        checks, police = records.get(volunteer.id, ([], []))
        found = categories(checks, police, policy, today)
        rows.append(Row(volunteer, [labels[k] for k in labels if k in found],
                        rules.evaluate_gate(checks, police, policy, today)))
    return {"pager": pager, "rows": rows, "pagination": govuk_pagination(pager, "vetting.work_list"),
            "counts": counts, "labels": labels, "show": show, "area_id": area_id}


def _page_and_counts(lists, condition, offset: int, limit: int) -> tuple[list[int], tuple]:
    """The ids of one page of the people on the lists meeting `condition` (by name), and the counts, in one
    SELECT: the counts are window totals over everyone on a list, so the lists are worked out once per request.
    How many volunteers there are in all is not asked (it is shown only on the list of everyone: at 50,000 people,
    counting them cost as much as the rest of the page's SQL).

    The people meeting the condition sort first; a page past their end brings others, which are dropped. A
    page past everyone on a list brings no row, and then the counts are asked for on their own."""
    shown = flag(condition).label("shown")
    keys = list(lists.columns)
    totals = [func.count().over(), *[func.sum(lists.table.c[lists.columns[k]]).over() for k in keys]]
    found = db.session.execute(
        select(lists.person_id, shown, *totals)
        .order_by(shown.desc(), lists.table.c.full_name, lists.person_id).offset(offset).limit(limit)).all()
    if not found:
        return [], _counts(lists)
    return [row[0] for row in found if row[1] == 1], _totals(keys, found[0][2:])


def _totals(keys, values, everyone: int | None = None) -> tuple[int | None, int, dict[str, int]]:
    return everyone, values[0] or 0, {k: n or 0 for k, n in zip(keys, values[1:], strict=True)}


def _counts(lists, everyone: bool = False) -> tuple[int | None, int, dict[str, int]]:
    """How many are on any list and on each list (conditional counts), and with `everyone` how many people there
    are in all."""
    keys = list(lists.columns)
    found = db.session.execute(select(
        *([lists.everyone] if everyone else []), func.count(), *[func.sum(lists.table.c[lists.columns[k]]) for k in keys])
        .select_from(lists.table)).one()
    return _totals(keys, found[1:], found[0]) if everyone else _totals(keys, found)


def _users(ids: list[int]) -> list[User]:
    """These users with their areas, in the order given."""
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids))
                                                 .options(selectinload(User.areas)))}
    return [found[i] for i in ids]
