"""The work lists in SQL: each list's condition written once, as the twin of its branch of
`rules_summaries.categories`, so that the counts, the filter and the order are worked out by the database.

The rules stay the source of truth: `categories` still says which lists each person on the page is on, and
tests/vetting/test_work_list_sql.py checks, over many varied records and dates at the edges, that these
conditions put every person on exactly the lists `categories` does, on SQLite and PostgreSQL.

Dates are never computed in SQL. A rule like "the recheck (issue date + 3 years) is due within 30 days" is
turned round in Python into "issued on or before the last day whose recheck falls by today + 30"
(`last_day_before`), which is exact under the rules' clamping at month ends and 29 February, and lets an index
on the issue date do the work.

Each list is found from its records, not from its people: the checks issued in a band's window, the clearances
expiring in one, the checks with a given outcome or level, the pending ones (indexes of migration 0027), each
kept if it is the person's current record. So the work grows with the people on the lists (about 8,000 of
35,000 volunteers at 50,000 people), not with everyone in scope; only "no DBS check or no police vetting yet"
and the count of everyone read all the people in scope, as ids from indexes.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    except_,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    union_all,
)

from app.auth.models import User
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


def _latest_dbs_id(person_id) -> ColumnElement:
    """rules.current_dbs for one person: their latest check with a certificate, by issue date then id."""
    c = _alias(DbsCheck, "latest_dbs")
    return (select(c.id).where(c.volunteer_id == person_id, _has_result(c))
            .order_by(c.issued_on.desc(), c.id.desc()).limit(1).scalar_subquery())


def _latest_nppv_id(person_id) -> ColumnElement:
    """rules.current_nppv for one person: their latest police vetting with an outcome, by outcome date (or else
    the date submitted), then id."""
    p = _alias(PoliceVetting, "latest_nppv")
    return (select(p.id).where(p.volunteer_id == person_id, p.outcome.is_not(None))
            .order_by(func.coalesce(p.outcome_on, p.submitted_on).desc(), p.id.desc()).limit(1).scalar_subquery())


def _is_current_nppv(p) -> ColumnElement[bool]:
    """This police vetting is rules.current_nppv for its holder. PostgreSQL looks up the holder's latest
    (`_latest_nppv_id`); SQLite, which would sort the holder's records by their date for every record found, asks
    whether any later one has an outcome, from the index on (volunteer_id, outcome, outcome_on, submitted_on, id)."""
    if db.engine.dialect.name == "postgresql":
        return p.id == _latest_nppv_id(p.volunteer_id)
    later = _alias(PoliceVetting, "later_nppv")
    on, later_on = func.coalesce(p.outcome_on, p.submitted_on), func.coalesce(later.outcome_on, later.submitted_on)
    return and_(p.outcome.is_not(None), ~_exists(
        later.volunteer_id == p.volunteer_id, later.outcome.is_not(None),
        or_(later_on > on, and_(later_on == on, later.id > p.id))))


@dataclass(frozen=True)
class Listed:
    """The people on at least one work list (`table`: person_id, a 0/1 column per list, in `columns`, and
    full_name, to sort by), and
    one condition on it per list, keys as `category_labels`. Everyone else in `people` is on no list."""

    table: object
    columns: dict[str, str]
    everyone: ColumnElement[int]  # how many people there are in `people`

    @property
    def person_id(self) -> ColumnElement:
        return self.table.c.person_id

    @property
    def conditions(self) -> dict[str, ColumnElement[bool]]:
        return {key: self.table.c[name] == 1 for key, name in self.columns.items()}


def listed(people, policy: VettingPolicy, on: date, among=None, within=None) -> Listed:
    """The work lists for `people` (a SELECT of User.id from users) on `on`: each list's terms, the SQL twins of the
    branches of `categories` (same order), as the records that put someone on it.

    Each term starts from the few records inside an index range (a date window worked out in Python from the
    policy, an outcome, a pending record) and keeps those that are the person's current record, so only the
    people on some list are looked at, not everyone in `people`. Only "no DBS check or no police vetting yet"
    has to look at everyone, and then only for the absence of a row in an index. The people found are then
    kept if they are in `people`.

    `among`: a superset of `people` that an index lists in id order (the volunteers' role grants, an area's
    people), to look for those without records in. `within`: a cheap test of a person id that everyone in `people`
    passes (in a coordinator's areas), tried first on each record found, so that the records of people out of
    scope go no further."""
    dates = _Dates(policy, on)
    terms: dict[str, list] = {key: [] for key in category_labels(policy)}

    first = [] if within is None else [within]

    def dbs_term(key: str, name: str, *conditions, current: bool = True, source=None):
        c = _alias(DbsCheck, f"dbs_{name}")
        found = select(c.volunteer_id.label("person_id")).select_from(source(c) if source else c.id.table)
        tests = [test(c.volunteer_id) for test in first] + [condition(c) for condition in conditions]
        terms[key].append(found.where(*tests, *([c.id == _latest_dbs_id(c.volunteer_id)] if current else [])))

    def nppv_term(key: str, name: str, *conditions, source=None):
        p = _alias(PoliceVetting, f"nppv_{name}")
        found = select(p.volunteer_id.label("person_id")).select_from(source(p) if source else p.id.table)
        terms[key].append(found.where(*[test(p.volunteer_id) for test in first],
                                      *[condition(p) for condition in conditions], _is_current_nppv(p)))

    pending = lambda c: or_(c.outcome.is_(None), c.issued_on.is_(None))  # noqa: E731 (not _has_result, sargable)
    # not checks or not nppvs or any pending check not yet submitted
    # Those without a DBS check or without police vetting, not looked up person by person. PostgreSQL reads
    # `people` once (counted, hash-joined with each table's people, and with those found on the lists). SQLite
    # takes the ids missing from each table's index on volunteer_id among `among` (a superset of `people` that an
    # index lists in id order: the volunteers' role grants), the two indexes merged in order (EXCEPT ... ORDER
    # BY); it looks up each person found in `people` afterwards.
    postgresql = db.engine.dialect.name == "postgresql"
    everyone = (people.add_columns(User.full_name).cte("everyone").prefix_with("MATERIALIZED") if postgresql
                else people.subquery("everyone"))
    among = (people if among is None else among).subquery("among")
    if postgresql:  # one pass, each table's people hashed once (volunteer_id is never NULL, so NOT IN is safe)
        terms[AWAITING_SUBMISSION].append(select(everyone.c.id.label("person_id")).where(or_(
            everyone.c.id.not_in(select(DbsCheck.volunteer_id)),
            everyone.c.id.not_in(select(PoliceVetting.volunteer_id)))))
    else:
        for model in (DbsCheck, PoliceVetting):
            missing = except_(select(among.c[0]), select(model.volunteer_id)).order_by(literal_column("1")).subquery()
            terms[AWAITING_SUBMISSION].append(select(missing.c[0].label("person_id")))
    dbs_term(AWAITING_SUBMISSION, "unsubmitted", pending, lambda c: c.submitted_on.is_(None), current=False)
    # any pending check submitted, or any police vetting waiting for its outcome
    dbs_term(AWAITING_RESULT, "submitted", pending, lambda c: c.submitted_on.is_not(None), current=False)
    waiting = _alias(PoliceVetting, "nppv_waiting")
    terms[AWAITING_RESULT].append(select(waiting.volunteer_id.label("person_id")).where(
        *[test(waiting.volunteer_id) for test in first], waiting.outcome.is_(None)))
    # current.needs_decision
    dbs_term(AWAITING_DECISION, "undecided", lambda c: c.outcome == DbsOutcome.DISCLOSED,
             lambda c: ~_exists(DbsDecision.dbs_check_id == c.id))
    # decision.awaiting_confirmation and policy.confirm_disclosed_approvals
    if policy.confirm_disclosed_approvals:
        decision = _alias(DbsDecision, "unconfirmed")
        dbs_term(AWAITING_CONFIRMATION, "unconfirmed",
                 lambda c: decision.decision == Decision.APPROVED, lambda c: decision.needs_confirmation.is_(True),
                 lambda c: ~_exists(DbsConfirmation.decision_id == decision.id),
                 source=lambda c: decision.id.table.join(c.id.table, c.id == decision.dbs_check_id))
    # wrong_check(current, policy): the levels and workforces that fall short, named (so an index finds them)
    low = [lvl for lvl in DbsLevel if lvl.rank < policy.dbs_level.rank]
    other = [w for w in Workforce if not w.covers(policy.dbs_workforce)]
    dbs_term(WRONG_CHECK, "low", lambda c: c.level.in_(low))
    dbs_term(WRONG_CHECK, "workforce", lambda c: c.workforce.in_(other))
    # current.flag is not None: a status check that showed new information
    changed = _alias(StatusCheck, "changed")
    dbs_term(EXPIRED, "changed", lambda c: changed.outcome == StatusOutcome.CHANGED,
             source=lambda c: changed.id.table.join(c.id.table, c.id == changed.dbs_check_id))
    # status_due <= on + min(lead) / status_due <= on
    if policy.uses_update_service:
        for key, by in ((STATUS_CHECK_DUE, dates.leads[0]), (EXPIRED, 0)):
            cutoff = dates.status_check_by(by)
            dbs_term(key, f"status_{by}", lambda c: _status_checks_apply(c, dates),
                     lambda c, cutoff=cutoff: _status_due_by(c, cutoff))
    # else: the band of the recheck date
    for key, (after, by) in _bands(dates.leads).items():
        window = [lambda c, by=by: c.issued_on <= dates.recheck_by(by)]
        if after is not None:
            window.append(lambda c, after=after: c.issued_on > dates.recheck_by(after))
        dbs_term(key, f"recheck_{by}", *window, lambda c: not_(_status_checks_apply(c, dates)))
    # police: granted -> band of the expiry date, too low a level, changes of circumstances; else ended
    # Granted, tested on the records found by expiry date or level (not by outcome: nearly every record is granted,
    # and SQLite, without statistics, would read them all from the index on outcome).
    granted = lambda p: func.coalesce(p.outcome, p.outcome) == NppvOutcome.GRANTED  # noqa: E731
    for key, (after, by) in _bands(dates.leads).items():
        window = [lambda p, by=by: p.expires_on <= on + timedelta(days=by)]
        if after is not None:
            window.append(lambda p, after=after: p.expires_on > on + timedelta(days=after))
        nppv_term(key, f"ends_{by}", granted, *window)
    nppv_term(WRONG_CHECK, "low", granted,
              lambda p: p.level.in_([lvl for lvl in NppvLevel if lvl.rank < policy.nppv_level.rank]))
    change = _alias(NppvChange, "unreviewed")
    nppv_term(NPPV_REVIEW, "review", granted, lambda p: change.reviewed_on.is_(None),
              source=lambda p: change.id.table.join(p.id.table, p.id == change.police_vetting_id))
    nppv_term(NPPV_ENDED, "ended", lambda p: p.outcome.in_([o for o in NppvOutcome if o != NppvOutcome.GRANTED]))

    columns = {key: f"list_{n}" for n, key in enumerate(terms)}
    found = union_all(*[term.add_columns(literal(n).label("k"))
                        for n, key in enumerate(terms) for term in terms[key]]).subquery("found")
    grouped = (select(found.c.person_id,
                      *[func.max(case((found.c.k == n, literal(1)), else_=literal(0))).label(columns[key])
                        for n, key in enumerate(terms)])
               .group_by(found.c.person_id).subquery("grouped"))
    if postgresql:  # one row each in `people`: joined, not deduplicated for IN
        found_in_scope = select(grouped, everyone.c.full_name).join(everyone, everyone.c.id == grouped.c.person_id)
    else:
        scope = people.subquery("in_scope")
        found_in_scope = (select(grouped, User.full_name).join(User, User.id == grouped.c.person_id)
                          .where(exists(select(scope.c[0]).where(scope.c[0] == grouped.c.person_id))))
    table = (found_in_scope
             .cte("lists").prefix_with("MATERIALIZED"))  # each list once per person, read for counts and page
    return Listed(table, columns, select(func.count()).select_from(everyone).scalar_subquery())


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
    lapsed = _exists(StatusCheck.dbs_check_id == dbs.id, StatusCheck.outcome == StatusOutcome.NO_SUBSCRIPTION,
                            StatusCheck.checked_on >= dbs.subscribed_on)
    renewal_ahead = case((dbs.renews_on.is_not(None), dbs.renews_on > dates.on),
                         else_=dbs.subscribed_on > dates.renewal_passed_if_joined_by)
    return and_(dbs.subscribed_on.is_not(None), ~lapsed, renewal_ahead,
                or_(dbs.consent_withdrawn_on.is_(None), dbs.consent_withdrawn_on > dates.on))


def _status_due_by(dbs, cutoff: date) -> ColumnElement[bool]:
    """The later of the issue date and the last clean status check is on or before `cutoff`."""
    return and_(dbs.issued_on <= cutoff, ~_exists(
        StatusCheck.dbs_check_id == dbs.id, StatusCheck.outcome == StatusOutcome.NO_CHANGE,
        StatusCheck.checked_on > cutoff))


def _exists(first: ColumnElement[bool], *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS (SELECT 1 FROM ... WHERE ...): SQLite reads the table's rows for `EXISTS (SELECT * ...)`, which
    SQLAlchemy's exists() writes, where one selected constant lets it answer from an index alone."""
    return exists(select(literal(1)).where(first, *conditions))


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 when the condition holds, else 0 (NULL counts as not), to add up."""
    return case((condition, literal(1)), else_=literal(0))

