"""The work lists in SQL: each list's condition written once, as the twin of its branch of
`rules_summaries.categories`, so that the counts, the filter and the order are worked out by the database.

The rules stay the source of truth: `categories` still says which lists each person on the page is on, and
tests/vetting/test_work_list_sql.py checks, over many varied records and dates at the edges, that these
conditions put every person on exactly the lists `categories` does, on SQLite and PostgreSQL.

Dates are never computed in SQL. A rule like "the recheck (issue date + 3 years) is due within 30 days" is
turned round in Python into "issued on or before the last day whose recheck falls by today + 30"
(`last_day_before`), which is exact under the rules' clamping at month ends and 29 February, and lets an index
on the issue date do the work.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, not_, or_, select

from app.dates import add_months, add_years, last_day_before
from app.extensions import db
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvLevel, NppvOutcome, StatusOutcome, Workforce
from app.vetting.models import DbsCheck, DbsConfirmation, DbsDecision, NppvChange, PoliceVetting, StatusCheck
from app.vetting.policy import VettingPolicy
from app.vetting.rules_summaries import (
    AWAITING_CONFIRMATION,
    AWAITING_DECISION,
    AWAITING_RESULT,
    AWAITING_SUBMISSION,
    EXPIRED,
    NPPV_ENDED,
    NPPV_REVIEW,
    STATUS_CHECK_DUE,
    WRONG_CHECK,
    category_labels,
)


@dataclass(frozen=True)
class _Dates:
    """The day `on` and the policy's periods, turned into cut-off dates to compare records with."""

    policy: VettingPolicy
    on: date

    @property
    def leads(self) -> list[int]:
        return sorted(self.policy.reminder_days)

    def recheck_by(self, days: int) -> date:
        """Issued on or before this: the recheck is due by on + days."""
        return last_day_before(lambda d: add_years(d, self.policy.recheck_years), self.on + timedelta(days=days))

    def status_check_by(self, days: int) -> date:
        """Last clean check (or issue) on or before this: the status check is due by on + days."""
        return last_day_before(lambda d: add_months(d, self.policy.status_check_months),
                               self.on + timedelta(days=days))

    @property
    def renewal_passed_if_joined_by(self) -> date:
        """Joined on or before this (with no renewal date kept): a year after joining has come by `on`."""
        return last_day_before(lambda d: add_years(d, 1), self.on)


# ---------------------------------------------------------------- each person's vetting records, one row


@cache
def _alias(model, name: str):
    """The model's table under another name, its columns as attributes: a Core alias, made once (building
    ORM aliases for every request cost more than the query)."""
    return model.__table__.alias(name).c


def _has_result(check) -> ColumnElement[bool]:
    """rules.DbsFacts.has_result."""
    return and_(check.outcome.is_not(None), check.issued_on.is_not(None))


def _current_dbs(people):
    """Per person with a DBS check: the id of rules.current_dbs (the latest check with a certificate, by issue
    date then id; NULL while none has one) and whether any check is waiting to be submitted or for its
    certificate. One pass over the checks: the first row of each person's, ranked, is their current check."""
    result, pending = _has_result(DbsCheck), not_(_has_result(DbsCheck))
    per_person = {"partition_by": DbsCheck.volunteer_id}
    ranked = select(
        DbsCheck.volunteer_id,
        case((result, DbsCheck.id)).label("dbs_id"),
        func.max(flag(and_(pending, DbsCheck.submitted_on.is_(None)))).over(**per_person).label("unsubmitted"),
        func.max(flag(and_(pending, DbsCheck.submitted_on.is_not(None)))).over(**per_person).label("submitted"),
        func.row_number().over(**per_person, order_by=(flag(result).desc(), DbsCheck.issued_on.desc(),
                                                       DbsCheck.id.desc())).label("n"),
    ).where(DbsCheck.volunteer_id.in_(people)).subquery("dbs_ranked")
    return select(ranked).where(ranked.c.n == 1).cte("dbs_state").prefix_with("MATERIALIZED")


def _current_nppv(people):
    """Per person with police vetting: the id of rules.current_nppv (the latest application with an outcome, by
    outcome date, or else the date submitted, then id) and whether any is waiting for its outcome."""
    decided = PoliceVetting.outcome.is_not(None)
    per_person = {"partition_by": PoliceVetting.volunteer_id}
    ranked = select(
        PoliceVetting.volunteer_id,
        case((decided, PoliceVetting.id)).label("nppv_id"),
        func.max(flag(PoliceVetting.outcome.is_(None))).over(**per_person).label("waiting"),
        func.row_number().over(**per_person, order_by=(
            flag(decided).desc(), func.coalesce(PoliceVetting.outcome_on, PoliceVetting.submitted_on).desc(),
            PoliceVetting.id.desc())).label("n"),
    ).where(PoliceVetting.volunteer_id.in_(people)).subquery("nppv_ranked")
    return select(ranked).where(ranked.c.n == 1).cte("nppv_state").prefix_with("MATERIALIZED")


def records_row(people):
    """One row per person in `people` (a SELECT of user ids): whether they have DBS checks or police vetting
    still pending, and the ids of their current DBS check and police vetting (NULL when none). A record either
    has its result (so there is a current one) or is pending: so "has any" needs no column of its own.
    The lists are conditions on this row.

    PostgreSQL ranks every person's records in one pass and hash-joins them; SQLite, which would loop over
    those rankings for each person, looks each person's records up in the indexes instead. Same values."""
    person = people.subquery("people")
    pid = person.c[0]
    if db.engine.dialect.name == "postgresql":
        person = people.cte("people").prefix_with("MATERIALIZED")  # read once, used three times
        pid = person.c[0]
        dbs, police = _current_dbs(select(pid)), _current_nppv(select(pid))
        columns = [func.coalesce(dbs.c.unsubmitted, 0) == 1, func.coalesce(dbs.c.submitted, 0) == 1,
                   func.coalesce(police.c.waiting, 0) == 1, dbs.c.dbs_id, police.c.nppv_id]  # no records: none
        source = person.outerjoin(dbs, dbs.c.volunteer_id == pid).outerjoin(police, police.c.volunteer_id == pid)
    else:
        columns = [_pending(DbsCheck, pid, submitted=False), _pending(DbsCheck, pid, submitted=True),
                   _pending(PoliceVetting, pid), _latest_dbs_id(pid), _latest_nppv_id(pid)]
        source = person
    names = ["unsubmitted", "submitted", "nppv_waiting", "dbs_id", "nppv_id"]
    return (select(pid.label("person_id"), *[c.label(n) for c, n in zip(columns, names, strict=True)])
            .select_from(source)
            .cte("records").prefix_with("MATERIALIZED"))  # worked out once per person, not once per list


def _pending(model, person_id, submitted: bool | None = None) -> ColumnElement[bool]:
    """The person has a record of this kind still pending: a DBS check without its certificate, submitted or
    not, or police vetting without its outcome."""
    row = _alias(model, f"{model.__tablename__}_pending_{submitted}".lower())
    if model is DbsCheck:
        return exists().where(row.volunteer_id == person_id, not_(_has_result(row)),
                              row.submitted_on.is_not(None) if submitted else row.submitted_on.is_(None))
    return exists().where(row.volunteer_id == person_id, row.outcome.is_(None))


def _latest_dbs_id(person_id) -> ColumnElement:
    """rules.current_dbs, as `_current_dbs` ranks it, for one person."""
    c = _alias(DbsCheck, "latest_dbs")
    return (select(c.id).where(c.volunteer_id == person_id, _has_result(c))
            .order_by(c.issued_on.desc(), c.id.desc()).limit(1).scalar_subquery())


def _latest_nppv_id(person_id) -> ColumnElement:
    """rules.current_nppv, as `_current_nppv` ranks it, for one person."""
    p = _alias(PoliceVetting, "latest_nppv")
    return (select(p.id).where(p.volunteer_id == person_id, p.outcome.is_not(None))
            .order_by(func.coalesce(p.outcome_on, p.submitted_on).desc(), p.id.desc()).limit(1).scalar_subquery())


@dataclass(frozen=True)
class Listed:
    """Each person's lists as a table (`table`: person_id, then a 0/1 column per list, in `columns`), and one
    condition on it per list, keys as `category_labels`."""

    table: object
    columns: dict[str, str]

    @property
    def person_id(self) -> ColumnElement:
        return self.table.c.person_id

    @property
    def conditions(self) -> dict[str, ColumnElement[bool]]:
        return {key: self.table.c[name] == 1 for key, name in self.columns.items()}

    @property
    def lists_on(self) -> ColumnElement[int]:
        """How many lists the person is on."""
        return sum((self.table.c[name] for name in self.columns.values()), literal(0))

    def any(self) -> ColumnElement[bool]:
        """On at least one list ("Needs something doing")."""
        return self.lists_on > 0


def listed(people, policy: VettingPolicy, on: date) -> Listed:
    """The work lists for `people` on `on`, each the SQL twin of a branch of `categories` (same order)."""
    row = records_row(people)
    dbs, decision, police = _alias(DbsCheck, "cur_dbs"), _alias(DbsDecision, "cur_decision"), \
        _alias(PoliceVetting, "cur_nppv")
    from_clause = (row.outerjoin(dbs.id.table, dbs.id == row.c.dbs_id)
                   .outerjoin(decision.id.table, decision.dbs_check_id == dbs.id)  # one decision per check at most
                   .outerjoin(police.id.table, police.id == row.c.nppv_id))
    dates = _Dates(policy, on)
    has_dbs, granted = row.c.dbs_id.is_not(None), police.outcome == NppvOutcome.GRANTED
    status = _status_checks_apply(dbs, dates)
    lists: dict[str, list[ColumnElement[bool]]] = {key: [] for key in category_labels(policy)}

    # not checks or not nppvs or any pending check not yet submitted
    any_dbs = or_(has_dbs, row.c.unsubmitted, row.c.submitted)
    any_nppv = or_(row.c.nppv_id.is_not(None), row.c.nppv_waiting)
    lists[AWAITING_SUBMISSION].append(or_(not_(any_dbs), not_(any_nppv), row.c.unsubmitted))
    # any pending check submitted, or any police vetting waiting for its outcome
    lists[AWAITING_RESULT].append(or_(row.c.submitted, row.c.nppv_waiting))
    # current.needs_decision
    lists[AWAITING_DECISION].append(and_(has_dbs, dbs.outcome == DbsOutcome.DISCLOSED, decision.id.is_(None)))
    # decision.awaiting_confirmation and policy.confirm_disclosed_approvals
    if policy.confirm_disclosed_approvals:
        lists[AWAITING_CONFIRMATION].append(and_(
            decision.decision == Decision.APPROVED, decision.needs_confirmation.is_(True),
            ~exists().where(DbsConfirmation.decision_id == decision.id)))
    # wrong_check(current, policy)
    lists[WRONG_CHECK].append(and_(has_dbs, or_(
        dbs.level.not_in([lvl for lvl in DbsLevel if lvl.rank >= policy.dbs_level.rank]),
        dbs.workforce.not_in([w for w in Workforce if w.covers(policy.dbs_workforce)]))))
    # current.flag is not None: a status check that showed new information
    lists[EXPIRED].append(and_(has_dbs, exists().where(StatusCheck.dbs_check_id == dbs.id,
                                                       StatusCheck.outcome == StatusOutcome.CHANGED)))
    # status_due <= on + min(lead) / status_due <= on
    lists[STATUS_CHECK_DUE].append(and_(status, _status_due_by(dbs, dates.status_check_by(dates.leads[0]))))
    lists[EXPIRED].append(and_(status, _status_due_by(dbs, dates.status_check_by(0))))
    # else: the band of the recheck date
    for key, (after, by) in _bands(dates.leads).items():
        recheck = dbs.issued_on <= dates.recheck_by(by)
        if after is not None:
            recheck = and_(recheck, dbs.issued_on > dates.recheck_by(after))
        lists[key].append(and_(has_dbs, not_(status), recheck))
    # police: granted -> band of the expiry date, too low a level, changes of circumstances; else ended
    for key, (after, by) in _bands(dates.leads).items():
        ends = police.expires_on <= on + timedelta(days=by)
        if after is not None:
            ends = and_(ends, police.expires_on > on + timedelta(days=after))
        lists[key].append(and_(granted, ends))
    lists[WRONG_CHECK].append(and_(granted, police.level.not_in(
        [lvl for lvl in NppvLevel if lvl.rank >= policy.nppv_level.rank])))
    lists[NPPV_REVIEW].append(and_(granted, exists().where(NppvChange.police_vetting_id == police.id,
                                                           NppvChange.reviewed_on.is_(None))))
    lists[NPPV_ENDED].append(and_(row.c.nppv_id.is_not(None), police.outcome != NppvOutcome.GRANTED))
    columns = {key: f"list_{n}" for n, key in enumerate(lists)}
    table = (select(row.c.person_id, *[flag(or_(*terms) if terms else false()).label(columns[key])
                                       for key, terms in lists.items()])
             .select_from(from_clause).cte("lists").prefix_with("MATERIALIZED"))  # each rule once per person
    return Listed(table, columns)


def _bands(leads: list[int]) -> dict[str, tuple[int | None, int]]:
    """Each list of `_expiry_band` as (days after `on` it starts after, days by which it ends): expired is
    due by today (0 days), expiring-30 after 0 and by 30, expiring-60 after 30 and by 60..."""
    bands, lower = {EXPIRED: (None, 0)}, 0
    for lead in leads:
        bands[f"expiring-{lead}"] = (lower, lead)
        lower = lead
    return bands


def _status_checks_apply(dbs, dates: _Dates) -> ColumnElement[bool]:
    """rules.next_status_check is not None: the scheme uses the Update Service, the holder is subscribed (not
    found gone since joining), the subscription has not reached its renewal date, and consent stands."""
    if not dates.policy.uses_update_service:
        return false()
    lapsed = exists().where(StatusCheck.dbs_check_id == dbs.id, StatusCheck.outcome == StatusOutcome.NO_SUBSCRIPTION,
                            StatusCheck.checked_on >= dbs.subscribed_on)
    renewal_ahead = case((dbs.renews_on.is_not(None), dbs.renews_on > dates.on),
                         else_=dbs.subscribed_on > dates.renewal_passed_if_joined_by)
    return and_(dbs.subscribed_on.is_not(None), ~lapsed, renewal_ahead,
                or_(dbs.consent_withdrawn_on.is_(None), dbs.consent_withdrawn_on > dates.on))


def _status_due_by(dbs, cutoff: date) -> ColumnElement[bool]:
    """The later of the issue date and the last clean status check is on or before `cutoff`."""
    return and_(dbs.issued_on <= cutoff, ~exists().where(
        StatusCheck.dbs_check_id == dbs.id, StatusCheck.outcome == StatusOutcome.NO_CHANGE,
        StatusCheck.checked_on > cutoff))


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 when the condition holds, else 0 (NULL counts as not), to add up."""
    return case((condition, literal(1)), else_=literal(0))

