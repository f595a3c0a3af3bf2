"""The coordinators' work list: every active volunteer's records loaded in a fixed number of queries,
sorted into lists by the pure rules, then paginated."""
from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from app.auth.models import User
from app.core.models import Area
from app.extensions import db
from app.pagination import govuk_pagination, page_number
from app.vetting import rules
from app.vetting.policy import VettingPolicy
from app.vetting.services import facts_for, load_records
from app.vetting.status import categories, category_labels
from app.vetting.tasks import active_volunteers_query

NEEDS_SOMETHING, EVERYONE = "", "all"


class ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list already in memory."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        return self._query_args["data"][start:start + self.per_page]

    def _query_count(self):
        return len(self._query_args["data"])


@dataclass(frozen=True)
class Row:
    volunteer: User
    lists: list[str]
    gate: rules.GateResult


def _filters(form, policy: VettingPolicy) -> tuple[str, int | None, dict[str, str]]:
    labels = category_labels(policy)
    form.show.choices = [(NEEDS_SOMETHING, "Everyone who needs something doing"), (EVERYONE, "All volunteers"),
                         *labels.items()]
    areas = db.session.scalars(select(Area).order_by(Area.position)).all()
    form.area.choices = [("", "All areas")] + [(str(a.id), a.name) for a in areas]
    if not form.validate():
        return NEEDS_SOMETHING, None, labels
    return form.show.data or NEEDS_SOMETHING, int(form.area.data) if form.area.data else None, labels


def build(form, policy: VettingPolicy, today: date, per_page: int = 25) -> dict:
    """The rows, counts and pager for the work list page."""
    show, area_id, labels = _filters(form, policy)
    query = active_volunteers_query()
    if area_id is not None:
        query = query.where(User.areas.any(Area.id == area_id))
    volunteers = db.session.scalars(query).all()
    records = load_records(query.with_only_columns(User.id).order_by(None))
    rows, counts = [], dict.fromkeys(labels, 0)
    for volunteer in volunteers:
        checks, police = facts_for(records.get(volunteer.id, ([], [])))
        found = categories(checks, police, policy, today)
        for key in found:
            counts[key] += 1
        if show == EVERYONE or (show == NEEDS_SOMETHING and found) or show in found:
            rows.append(Row(volunteer, [labels[k] for k in labels if k in found],
                            rules.evaluate_gate(checks, police, policy, today)))
    pager = ListPagination(page=page_number(), per_page=per_page, error_out=False, data=rows)
    return {"pager": pager, "pagination": govuk_pagination(pager, "vetting.work_list"), "counts": counts,
            "labels": labels, "show": show, "area_id": area_id}
