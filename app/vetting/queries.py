"""The coordinators' work list, in a fixed number of queries that does not grow with the number of volunteers.

SQL narrows the active volunteers to the candidates: everyone whose records could put them on a list today.
The condition is deliberately generous (a superset: a day or a week of slack on the dates, ties kept), so the
pure rules in `status.categories` still decide exactly who is on which list, but only for the candidates.
Volunteers whose vetting is complete and not due within the longest reminder lead time are never loaded,
except when "All volunteers" is asked for, which SQL pages like any other list.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from app.auth.models import User
from app.core.models import Area
from app.dates import add_months, add_years
from app.extensions import db
from app.pagination import govuk_pagination, page_number
from app.permissions import area_scope, people_in_scope
from app.vetting import rules
from app.vetting.enums import DbsLevel, DbsOutcome, NppvLevel, NppvOutcome, StatusOutcome, Workforce
from app.vetting.models import DbsCheck, DbsConfirmation, DbsDecision, NppvChange, PoliceVetting, StatusCheck
from app.vetting.policy import VettingPolicy
from app.vetting.rules_summaries import categories, category_labels
from app.vetting.services import facts_for, load_records
from app.vetting.services_reminders import active_volunteers_query

NEEDS_SOMETHING, EVERYONE = "", "all"
SLACK = timedelta(days=7)  # more than the 1 to 3 days that clamping at month ends and 29 February can move a date


class ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list of ids already in memory."""

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


# ---------------------------------------------------------------- the SQL prefilter


def _has_result(check) -> ColumnElement:
    return and_(check.outcome.is_not(None), check.issued_on.is_not(None))


def _current_dbs(check) -> ColumnElement:
    """The check is the volunteer's latest certificate (ties count as current: the rules break them)."""
    newer = aliased(DbsCheck)
    return and_(_has_result(check), ~exists().where(
        newer.volunteer_id == check.volunteer_id, _has_result(newer), newer.issued_on > check.issued_on))


def _dbs_may_be_listed(policy: VettingPolicy, horizon: date) -> ColumnElement:
    """A current certificate that may need a decision, a recheck or a status check by `horizon`."""
    recheck_cutoff = add_years(horizon, -policy.recheck_years) + SLACK
    undecided = and_(DbsCheck.outcome == DbsOutcome.DISCLOSED,
                     ~exists().where(DbsDecision.dbs_check_id == DbsCheck.id))
    flagged = exists().where(StatusCheck.dbs_check_id == DbsCheck.id, StatusCheck.outcome != StatusOutcome.NO_CHANGE)
    unconfirmed = exists().where(DbsDecision.dbs_check_id == DbsCheck.id, DbsDecision.needs_confirmation.is_(True),
                                 ~exists().where(DbsConfirmation.decision_id == DbsDecision.id))
    wrong = or_(DbsCheck.level.not_in([lvl for lvl in DbsLevel if lvl.rank >= policy.dbs_level.rank]),
                DbsCheck.workforce.not_in([w for w in Workforce if w.covers(policy.dbs_workforce)]))
    conditions = [undecided, flagged, unconfirmed, wrong, DbsCheck.issued_on <= recheck_cutoff]
    if policy.uses_update_service:
        status_cutoff = add_months(horizon, -policy.status_check_months) + SLACK
        conditions.append(and_(
            DbsCheck.subscribed_on.is_not(None), DbsCheck.issued_on <= status_cutoff,
            ~exists().where(StatusCheck.dbs_check_id == DbsCheck.id, StatusCheck.outcome == StatusOutcome.NO_CHANGE,
                            StatusCheck.checked_on > status_cutoff)))
    return exists().where(DbsCheck.volunteer_id == User.id, _current_dbs(DbsCheck), or_(*conditions))


def _nppv_may_be_listed(policy: VettingPolicy, horizon: date) -> ColumnElement:
    """The latest police vetting result is a refusal, a withdrawal, too low a level, or a clearance ending by `horizon`."""
    newer = aliased(PoliceVetting)
    decided_on = func.coalesce(PoliceVetting.outcome_on, PoliceVetting.submitted_on)
    return exists().where(
        PoliceVetting.volunteer_id == User.id, PoliceVetting.outcome.is_not(None),
        or_(PoliceVetting.outcome != NppvOutcome.GRANTED, PoliceVetting.expires_on <= horizon,
            exists().where(NppvChange.police_vetting_id == PoliceVetting.id, NppvChange.reviewed_on.is_(None)),
            PoliceVetting.level.not_in([lvl for lvl in NppvLevel if lvl.rank >= policy.nppv_level.rank])),
        ~exists().where(newer.volunteer_id == PoliceVetting.volunteer_id, newer.outcome.is_not(None),
                        func.coalesce(newer.outcome_on, newer.submitted_on) > decided_on))


def may_be_listed(policy: VettingPolicy, today: date) -> ColumnElement:
    """True in SQL for every volunteer `status.categories` could put on a list today (and a few more)."""
    horizon = today + timedelta(days=max(policy.reminder_days))
    any_dbs = exists().where(DbsCheck.volunteer_id == User.id)
    any_nppv = exists().where(PoliceVetting.volunteer_id == User.id)
    return or_(
        not_(any_dbs), not_(any_nppv),
        exists().where(DbsCheck.volunteer_id == User.id, not_(_has_result(DbsCheck))),
        exists().where(PoliceVetting.volunteer_id == User.id, PoliceVetting.outcome.is_(None)),
        _dbs_may_be_listed(policy, horizon), _nppv_may_be_listed(policy, horizon),
    )


# ---------------------------------------------------------------- the page


def _filters(form, policy: VettingPolicy, staff) -> tuple[str, int | None, dict[str, str]]:
    labels = category_labels(policy)
    form.show.choices = [(NEEDS_SOMETHING, "Needs something doing"), (EVERYONE, "All volunteers"),
                         *labels.items()]
    scope = area_scope(staff)
    areas = db.session.scalars(select(Area).where(Area.id.in_(scope) if scope is not None else true())
                               .order_by(Area.position)).all()
    form.area.choices = [("", "All areas" if scope is None else "All your areas")] + [(str(a.id), a.name) for a in areas]
    if not form.validate():
        return NEEDS_SOMETHING, None, labels
    return form.show.data or NEEDS_SOMETHING, int(form.area.data) if form.area.data else None, labels


def build(form, policy: VettingPolicy, today: date, staff, per_page: int = 25) -> dict:
    """The rows, counts and pager for the work list page: only the people `staff` may see, never their own
    record (nobody vets themself)."""
    show, area_id, labels = _filters(form, policy, staff)
    query = active_volunteers_query().where(people_in_scope(staff), User.id != staff.id)
    if area_id is not None:
        query = query.where(User.areas.any(Area.id == area_id))
    candidate_ids = db.session.scalars(query.with_only_columns(User.id).where(may_be_listed(policy, today))).all()
    everyone = db.paginate(query, page=page_number(), per_page=per_page, error_out=False) if show == EVERYONE else None
    shown_ids = [v.id for v in everyone.items] if everyone is not None else []
    records = load_records(list({*candidate_ids, *shown_ids}))
    found = {i: categories(*facts_for(records.get(i, ([], []))), policy, today) for i in candidate_ids}
    counts = {key: sum(key in lists for lists in found.values()) for key in labels}
    if everyone is not None:
        pager, volunteers = everyone, everyone.items
    else:
        matched = [i for i in candidate_ids if (found[i] if show == NEEDS_SOMETHING else show in found[i])]
        pager = ListPagination(page=page_number(), per_page=per_page, error_out=False, data=matched)
        volunteers = _users(pager.items)
    rows = [Row(v, [labels[k] for k in labels if k in found.get(v.id, ())],
                rules.evaluate_gate(*facts_for(records.get(v.id, ([], []))), policy, today)) for v in volunteers]
    return {"pager": pager, "rows": rows, "pagination": govuk_pagination(pager, "vetting.work_list"),
            "counts": counts, "labels": labels, "show": show, "area_id": area_id}


def _users(ids: list[int]) -> list[User]:
    """These users with their areas, in the order given."""
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids))
                                                 .options(selectinload(User.areas)))}
    return [found[i] for i in ids]
