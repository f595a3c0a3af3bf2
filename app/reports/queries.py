"""Report reads: every number is a SQL aggregate (GROUP BY, COUNT, SUM, window functions), so each panel and
each report table runs a fixed number of queries however many volunteers there are.

Where each fact lives, and what a stage means (the dates are the day a person reached the stage):
- applied: their first submitted application (applications.submitted_at, as a UTC day);
- accepted: an application accepted (decided_at);
- vetted: a DBS certificate that came back clear, or an approval of one that disclosed (dbs_checks,
  dbs_decisions), and police vetting granted (police_vettings): the later of the two;
- trained: every course the readiness gates name completed (training_completions): the last first completion;
- released: first released to client work (mentor_standings.first_released_on);
- paired: their first pairing started (pairings).
Stages are cumulative: a person reaches a stage only once they have reached the one before, on the later of the
two days, so the funnel only narrows and no time in a stage is negative.

Area: a person belongs to the areas on their account (user_areas) and, before acceptance, the areas on their
applications. A coordinator sees only people in the areas they cover (app/permissions.area_scope).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from app.applications.models import Application, Referee, application_areas
from app.applications.rules import Status
from app.auth.models import Role, User, UserRole
from app.core.models import Area, user_areas
from app.dates import add_years
from app.expenses.models import Batch, Claim, Line
from app.extensions import db
from app.readiness.models import (
    AgreementSignature,
    Client,
    ClientContact,
    EmergencyContact,
    Induction,
    MentorStanding,
    Pairing,
    Standing,
)
from app.readiness.policy import ReadinessPolicy
from app.readiness.policy import current_policy as readiness_policy
from app.training.models import Attendance, Booking, Completion, Course, SessionStatus, TrainingSession
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvOutcome, StatusOutcome, Workforce
from app.vetting.models import (
    DbsCheck,
    DbsConfirmation,
    DbsDecision,
    IdentityCheck,
    PoliceVetting,
    SelfDeclaration,
    StatusCheck,
)
from app.vetting.policy import VettingPolicy
from app.vetting.policy import current_policy as vetting_policy

STAGES = (("applied", "Applied"), ("accepted", "Accepted"), ("vetted", "Vetted"), ("trained", "Trained"),
          ("released", "Released"), ("paired", "Paired with a client"))
ATTENDED = (Attendance.PRESENT, Attendance.LATE, Attendance.LEFT_EARLY)
LAPSE_KINDS = (("dbs", "DBS check"), ("police", "Police vetting"), ("safeguarding", "Adult safeguarding training"))
SAFEGUARDING = "adult-safeguarding-level-1"


# ---------------------------------------------------------------- portable SQL pieces


class day_of(FunctionElement):
    """The UTC day of a timestamp."""
    type = Date()
    inherit_cache = True


@compiles(day_of)
def _day_of(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(day_of, "postgresql")
def _day_of_pg(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


class month_of(FunctionElement):
    """'YYYY-MM' of a day."""
    type = String()
    inherit_cache = True


@compiles(month_of)
def _month_of(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_of_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class days_between(FunctionElement):
    """Whole days from the first day to the second."""
    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    first, second = list(element.clauses)
    return (f"CAST(julianday({compiler.process(second, **kw)}) - julianday({compiler.process(first, **kw)})"
            " AS INTEGER)")


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw):
    first, second = list(element.clauses)
    return f"({compiler.process(second, **kw)} - {compiler.process(first, **kw)})"


class minutes_between(FunctionElement):
    """Whole minutes from the first timestamp to the second."""
    type = Integer()
    inherit_cache = True


@compiles(minutes_between)
def _minutes_between(element, compiler, **kw):
    first, second = list(element.clauses)
    return (f"CAST(round((julianday({compiler.process(second, **kw)}) - julianday({compiler.process(first, **kw)}))"
            " * 1440) AS INTEGER)")


@compiles(minutes_between, "postgresql")
def _minutes_between_pg(element, compiler, **kw):
    first, second = list(element.clauses)
    return (f"CAST(round(EXTRACT(EPOCH FROM ({compiler.process(second, **kw)} - {compiler.process(first, **kw)}))"
            " / 60) AS INTEGER)")


class greatest(FunctionElement):
    type = Date()
    inherit_cache = True


@compiles(greatest)
def _greatest(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "postgresql")
def _greatest_pg(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


def _later(first, second):
    """The later of two days, or NULL when either is missing (GREATEST alone skips NULLs on PostgreSQL)."""
    return case((or_(first.is_(None), second.is_(None)), None), else_=greatest(first, second))


# ---------------------------------------------------------------- who is counted


@dataclass(frozen=True)
class Scope:
    """Whose numbers: the areas chosen within the staff member's own (None: every area) and the chosen dates."""

    areas: tuple[int, ...] | None
    start: date
    end: date
    today: date


def in_areas(user_id, areas):
    """SQL: this person (by id) belongs to one of the areas (always true for None)."""
    if areas is None:
        return true()
    ids = list(areas) or [-1]
    return or_(exists().where(user_areas.c.user_id == user_id, user_areas.c.area_id.in_(ids)),
               exists().where(Application.user_id == user_id, application_areas.c.application_id == Application.id,
                              application_areas.c.area_id.in_(ids)))


def _volunteers(areas):
    """SQL: active volunteers (the role, an account not closed) in the areas."""
    return and_(User.deactivated_at.is_(None), User.role_grants.any(UserRole.role == Role.VOLUNTEER),
                in_areas(User.id, areas))


# ---------------------------------------------------------------- the pipeline


def _course_codes(policy: ReadinessPolicy) -> list[str]:
    return [g.course for g in policy.gates if g.rule == "course" and g.course]


def stage_dates(areas):
    """A CTE of one row per person who has applied: user_id, the day they reached each stage, active_now."""
    policy = readiness_policy()
    applied = (select(Application.user_id.label("user_id"), func.min(day_of(Application.submitted_at)).label("own"))
               .where(Application.submitted_at.is_not(None)).group_by(Application.user_id).subquery())
    accepted = (select(Application.user_id.label("user_id"), func.min(day_of(Application.decided_at)).label("own"))
                .where(Application.status == Status.ACCEPTED, Application.decided_at.is_not(None))
                .group_by(Application.user_id).subquery())
    dbs_day = case((DbsCheck.outcome == DbsOutcome.CLEAR, DbsCheck.issued_on), else_=DbsDecision.decided_on)
    dbs = (select(DbsCheck.volunteer_id.label("user_id"), func.min(dbs_day).label("own"))
           .outerjoin(DbsDecision, and_(DbsDecision.dbs_check_id == DbsCheck.id, DbsDecision.decision == Decision.APPROVED))
           .where(DbsCheck.issued_on.is_not(None),
                  or_(DbsCheck.outcome == DbsOutcome.CLEAR, DbsDecision.id.is_not(None)))
           .group_by(DbsCheck.volunteer_id).subquery())
    police = (select(PoliceVetting.volunteer_id.label("user_id"), func.min(PoliceVetting.granted_on).label("own"))
              .where(PoliceVetting.granted_on.is_not(None)).group_by(PoliceVetting.volunteer_id).subquery())
    codes = _course_codes(policy)
    firsts = (select(Completion.user_id.label("user_id"), Completion.course_id,
                     func.min(Completion.completed_on).label("first"))
              .join(Course, Course.id == Completion.course_id).where(Course.code.in_(codes or ["-"]))
              .group_by(Completion.user_id, Completion.course_id).subquery())
    trained = (select(firsts.c.user_id, func.max(firsts.c.first).label("own")).group_by(firsts.c.user_id)
               .having(func.count() == len(codes)).subquery())
    members = union_all(
        select(Pairing.first_id.label("user_id"), Pairing.started_on, Pairing.ended_on),
        select(Pairing.second_id.label("user_id"), Pairing.started_on, Pairing.ended_on)).subquery()
    paired = (select(members.c.user_id, func.min(members.c.started_on).label("own"),
                     func.max(case((members.c.ended_on.is_(None), 1), else_=0)).label("active"))
              .group_by(members.c.user_id).subquery())
    vetted = _later(dbs.c.own, police.c.own)
    own = (select(applied.c.user_id, applied.c.own.label("applied"), accepted.c.own.label("accepted"),
                  vetted.label("vetted"), trained.c.own.label("trained"),
                  MentorStanding.first_released_on.label("released"), paired.c.own.label("paired"),
                  func.coalesce(paired.c.active, 0).label("active"))
           .outerjoin(accepted, accepted.c.user_id == applied.c.user_id)
           .outerjoin(dbs, dbs.c.user_id == applied.c.user_id)
           .outerjoin(police, police.c.user_id == applied.c.user_id)
           .outerjoin(trained, trained.c.user_id == applied.c.user_id)
           .outerjoin(MentorStanding, MentorStanding.volunteer_id == applied.c.user_id)
           .outerjoin(paired, paired.c.user_id == applied.c.user_id)
           .where(in_areas(applied.c.user_id, areas)).subquery("own"))
    # One layer per stage: reached = the later of the stage before's day and this stage's own day.
    layer = select(own.c.user_id, own.c.active, own.c.applied.label("r_applied"),
                   *[own.c[k] for k, _ in STAGES[1:]]).subquery("r_applied")
    for i, (key, _) in enumerate(STAGES[1:], start=1):
        before = STAGES[i - 1][0]
        keep = [layer.c.user_id, layer.c.active] + [layer.c[f"r_{k}"] for k, _ in STAGES[:i]]
        keep += [layer.c[k] for k, _ in STAGES[i + 1:]]
        layer = select(*keep, _later(layer.c[f"r_{before}"], layer.c[key]).label(f"r_{key}")).subquery(f"r_{key}")
    return select(layer).cte("stages")


@dataclass(frozen=True)
class StageNumbers:
    """The pipeline's numbers and the time in each stage, as pipeline_counts, pipeline_by_month and
    time_in_stage return them."""

    counts: dict
    by_month: dict[str, dict[str, int]]
    time: dict[str, dict]


def _no(type_):
    return cast(literal(None), type_)


def _counts_parts(stages) -> list:
    """(kind, stage, month, n, median, p90) rows: people who have reached each stage by today, and who are
    active in pairs today."""
    active = func.coalesce(func.sum(case((stages.c.r_paired.is_not(None), stages.c.active), else_=0)), 0)
    return [select(literal("count").label("kind"), literal(k).label("stage"), _no(String).label("month"),
                   func.count(stages.c[f"r_{k}"]).label("n"), _no(Integer).label("median"), _no(Integer).label("p90"))
            for k, _ in STAGES] + [
        select(literal("count"), literal("active"), _no(String), active, _no(Integer), _no(Integer))]


def _months_part(stages, scope: Scope):
    """(kind, stage, month, n, ...) rows: people who reached each stage in each month of the chosen dates."""
    parts = [select(literal(k).label("stage"), month_of(stages.c[f"r_{k}"]).label("month"))
             .where(stages.c[f"r_{k}"].between(scope.start, scope.end)) for k, _ in STAGES]
    reached = union_all(*parts).subquery()
    return (select(literal("month"), reached.c.stage, reached.c.month, func.count(), _no(Integer), _no(Integer))
            .group_by(reached.c.stage, reached.c.month))


def _time_part(stages, scope: Scope):
    """(kind, stage, month, n, median, p90) rows: for each stage but the last, how many people moved on from
    it in the chosen dates, and the median and 90th-percentile days they spent in it (nearest rank; see
    rules.py), by window functions."""
    parts = []
    for (key, _), (after, _) in zip(STAGES, STAGES[1:], strict=False):
        parts.append(select(literal(key).label("stage"),
                            days_between(stages.c[f"r_{key}"], stages.c[f"r_{after}"]).label("days"))
                     .where(stages.c[f"r_{after}"].between(scope.start, scope.end)))
    spans = union_all(*parts).subquery()
    ranked = select(spans.c.stage, spans.c.days,
                    func.row_number().over(partition_by=spans.c.stage, order_by=spans.c.days).label("rank"),
                    func.count().over(partition_by=spans.c.stage).label("n")).subquery()
    median_rank = (ranked.c.n * 50 + 99) // 100
    p90_rank = (ranked.c.n * 90 + 99) // 100
    return (select(literal("time"), ranked.c.stage, _no(String), ranked.c.n,
                   func.max(case((ranked.c.rank == median_rank, ranked.c.days))),
                   func.max(case((ranked.c.rank == p90_rank, ranked.c.days))))
            .group_by(ranked.c.stage, ranked.c.n))


def stage_numbers(scope: Scope) -> StageNumbers:
    """The pipeline (reached by today, by month) and the time in each stage: one query. The stage dates of
    everyone who has applied are the costly part; read once by all three (a CTE used more than once is worked
    out once, on SQLite and PostgreSQL alike), where three queries worked them out three times."""
    stages = stage_dates(scope.areas)
    rows = db.session.execute(union_all(*_counts_parts(stages), _months_part(stages, scope), _time_part(stages, scope)))
    counts: dict = {}
    by_month: dict[str, dict[str, int]] = {k: {} for k, _ in STAGES}
    spent = {k: {"people": 0, "median": None, "p90": None} for k, _ in STAGES[:-1]}
    for kind, stage, month, n, median, p90 in rows:
        if kind == "count":
            counts[stage] = n
        elif kind == "month":
            by_month[stage][month] = n
        else:
            spent[stage] = {"people": n, "median": median, "p90": p90}
    return StageNumbers({k: counts[k] for k, _ in STAGES} | {"active": counts["active"]}, by_month, spent)


def pipeline_counts(scope: Scope) -> dict:
    """People who have reached each stage by today, and who are active in pairs today: one query."""
    return stage_numbers(scope).counts


def pipeline_by_month(scope: Scope) -> dict[str, dict[str, int]]:
    """{stage: {"YYYY-MM": people who reached it that month}} for the chosen dates: one query."""
    return stage_numbers(scope).by_month


def time_in_stage(scope: Scope) -> dict[str, dict]:
    """For each stage but the last: people who moved on in the chosen dates, median and 90th-percentile days."""
    return stage_numbers(scope).time


# ---------------------------------------------------------------- the readiness gates, as SQL


def _dbs_current(on: date, vetting: VettingPolicy, lapse_by: date | None = None):
    """SQL on User: their latest DBS certificate covers them on `on` (and, with lapse_by, stops covering them
    on or before that day). The recheck period decides when a certificate stops covering (app/vetting/rules.py
    recheck_due); levels and workforces that do not meet the policy never count."""
    return exists().where(DbsCheck.volunteer_id == User.id, *_dbs_conditions(on, vetting, lapse_by))


def _dbs_conditions(on: date, vetting: VettingPolicy, lapse_by: date | None = None) -> list:
    """The conditions on DbsCheck of _dbs_current, but for whose check it is."""
    later = DbsCheck.__table__.alias("later")
    levels = [lv for lv in DbsLevel if lv.rank >= vetting.dbs_level.rank]
    workforces = [w for w in Workforce if w.covers(vetting.dbs_workforce)]
    approved = exists().where(DbsDecision.dbs_check_id == DbsCheck.id, DbsDecision.decision == Decision.APPROVED)
    if vetting.confirm_disclosed_approvals:
        approved = exists().where(DbsDecision.dbs_check_id == DbsCheck.id, DbsDecision.decision == Decision.APPROVED,
                                  or_(DbsDecision.needs_confirmation.is_(False),
                                      exists().where(DbsConfirmation.decision_id == DbsDecision.id)))
    conditions = [
        DbsCheck.outcome.is_not(None), DbsCheck.issued_on <= on,
        DbsCheck.issued_on > add_years(on, -vetting.recheck_years),
        DbsCheck.level.in_(levels), DbsCheck.workforce.in_(workforces),
        or_(DbsCheck.outcome == DbsOutcome.CLEAR, approved),
        ~exists().where(later.c.volunteer_id == DbsCheck.volunteer_id, later.c.outcome.is_not(None),
                        or_(later.c.issued_on > DbsCheck.issued_on,
                            and_(later.c.issued_on == DbsCheck.issued_on, later.c.id > DbsCheck.id))),
        ~exists().where(StatusCheck.dbs_check_id == DbsCheck.id, StatusCheck.outcome == StatusOutcome.CHANGED),
    ]
    if lapse_by is not None:
        conditions.append(DbsCheck.issued_on <= add_years(lapse_by, -vetting.recheck_years))
    return conditions


def _police_current(on: date, lapse_by: date | None = None):
    return exists().where(PoliceVetting.volunteer_id == User.id, *_police_conditions(on, lapse_by))


def _police_conditions(on: date, lapse_by: date | None = None) -> list:
    conditions = [PoliceVetting.outcome == NppvOutcome.GRANTED, PoliceVetting.granted_on <= on,
                  PoliceVetting.expires_on > on]
    if lapse_by is not None:
        conditions.append(PoliceVetting.expires_on <= lapse_by)
    return conditions


def _course_id(code: str):
    """The course's id as an uncorrelated subquery, so each person's completions are found by their own index."""
    return select(Course.id).where(Course.code == code).scalar_subquery()


def _course_current(code: str, on: date):
    current = and_(Completion.completed_on <= on, or_(Completion.expires_on.is_(None), Completion.expires_on > on))
    return exists().where(Completion.user_id == User.id, Completion.course_id == _course_id(code), current)


def _course_lapsing(code: str, on: date, lapse_by: date):
    """Current on `on`, and every current completion ends by `lapse_by`. As lists of people (IN, NOT IN):
    the few with a completion ending soon are found once, not tested person by person."""
    current = and_(Completion.completed_on <= on, or_(Completion.expires_on.is_(None), Completion.expires_on > on))
    lasting = and_(current, or_(Completion.expires_on.is_(None), Completion.expires_on > lapse_by))
    course = Completion.course_id == _course_id(code)
    ending = and_(current, Completion.expires_on.is_not(None), Completion.expires_on <= lapse_by)
    return and_(User.id.in_(select(Completion.user_id).where(course, ending)),
                User.id.not_in(select(Completion.user_id).where(course, lasting)))


def _self_declaration_good(on: date):
    later_sd = SelfDeclaration.__table__.alias("later_sd")
    latest = ~exists().where(later_sd.c.volunteer_id == SelfDeclaration.volunteer_id,
                             or_(later_sd.c.made_on > SelfDeclaration.made_on,
                                 and_(later_sd.c.made_on == SelfDeclaration.made_on,
                                      later_sd.c.id > SelfDeclaration.id)))
    other_check = DbsCheck.__table__.alias("other_check")
    other = DbsDecision.__table__.alias("other_decision")
    last_decision_approved = exists().where(
        DbsCheck.volunteer_id == User.id, DbsDecision.dbs_check_id == DbsCheck.id,
        DbsDecision.decision == Decision.APPROVED, DbsDecision.decided_on >= SelfDeclaration.made_on,
        ~exists().where(other.c.dbs_check_id == other_check.c.id, other_check.c.volunteer_id == User.id,
                        or_(other.c.decided_on > DbsDecision.decided_on,
                            and_(other.c.decided_on == DbsDecision.decided_on, other.c.id > DbsDecision.id))))
    return exists().where(SelfDeclaration.volunteer_id == User.id, latest,
                          or_(SelfDeclaration.has_something.is_(False), last_decision_approved))


def gate_good(gate, on: date, policy: ReadinessPolicy, vetting: VettingPolicy):
    """SQL on User: this readiness gate is good on `on` (the same facts as app/readiness/rules.py reads)."""
    rule = gate.rule
    if rule == "application":
        return exists().where(Application.user_id == User.id, Application.status == Status.ACCEPTED,
                              day_of(Application.decided_at) <= on)
    if rule == "references":
        satisfactory = (select(func.count()).where(Referee.application_id == Application.id,
                                                   Referee.satisfactory.is_(True)).correlate(Application)
                        .scalar_subquery())
        return exists().where(Application.user_id == User.id,
                              Application.status.not_in([Status.DECLINED, Status.WITHDRAWN]),
                              satisfactory >= gate.count)
    if rule == "identity":
        return exists().where(IdentityCheck.volunteer_id == User.id, IdentityCheck.checked_on <= on)
    if rule == "self_declaration":
        return _self_declaration_good(on)
    if rule == "dbs":
        return _dbs_current(on, vetting)
    if rule == "police_vetting":
        return _police_current(on)
    if rule == "course":
        return _course_current(gate.course, on)
    if rule == "agreement":
        return exists().where(AgreementSignature.volunteer_id == User.id,
                              AgreementSignature.version == policy.agreement_version, AgreementSignature.signed_on <= on)
    if rule == "induction":
        return exists().where(Induction.volunteer_id == User.id, Induction.held_on <= on,
                              Induction.supervisor_id.is_not(None))
    if rule == "emergency_contact":
        return exists().where(EmergencyContact.volunteer_id == User.id)
    return false()


def _not_released():
    return ~exists().where(MentorStanding.volunteer_id == User.id, MentorStanding.status == Standing.RELEASED)


def gates_holding(scope: Scope) -> list[tuple]:
    """For volunteers not yet released (or no longer released): how many each gate is holding today, in the
    policy's order, as (gate, people). One query."""
    policy, vetting = readiness_policy(), vetting_policy()
    gates = list(policy.gates)
    row = db.session.execute(
        select(func.count(User.id), *[func.coalesce(func.sum(case((gate_good(g, scope.today, policy, vetting), 0),
                                                                  else_=1)), 0) for g in gates])
        .where(_volunteers(scope.areas), _not_released())).one()
    return [(g, row[i + 1]) for i, g in enumerate(gates)], row[0]


# ---------------------------------------------------------------- what lapses soon


def lapse_condition(kind: str, scope: Scope, days: int, listing: bool = False):
    """SQL on User: good today, and lapses (the first day not good) within `days` days; "agreement": has not
    signed the current version of the volunteer agreement (it does not lapse by date).

    `listing`: for a page of the people (not a count), the DBS and police checks lapsing are a MATERIALIZED CTE,
    worked out first: told the page needs 25 rows, PostgreSQL otherwise walked all 50,000 people in name order
    testing each (190 ms, against 30), though the count beside each row needs all of them anyway."""
    on, by = scope.today, scope.today + timedelta(days=days)
    # As lists of people (IN): the few lapsing are found once, from the checks, not tested person by person.
    if kind in ("dbs", "police"):
        ids = _lapsing_ids(kind, on, by)
        if listing:
            ids = select(ids.cte("lapsing").prefix_with("MATERIALIZED").c[0])
        return User.id.in_(ids)
    if kind == "safeguarding":
        return _course_lapsing(SAFEGUARDING, on, by)
    if kind == "agreement":
        return ~exists().where(AgreementSignature.volunteer_id == User.id,
                               AgreementSignature.version == readiness_policy().agreement_version,
                               AgreementSignature.signed_on <= on)
    raise ValueError(kind)


def lapses(scope: Scope, windows) -> dict:
    """{kind: {days: people}} among active volunteers in scope, and the agreement count: one query."""
    columns, keys = [], []
    for kind, _ in LAPSE_KINDS:
        for days in windows:
            columns.append(func.coalesce(func.sum(case((lapse_condition(kind, scope, days), 1), else_=0)), 0))
            keys.append((kind, days))
    columns.append(func.coalesce(func.sum(case((lapse_condition("agreement", scope, 0), 1), else_=0)), 0))
    row = db.session.execute(select(*columns).where(_volunteers(scope.areas))).one()
    found: dict = {kind: {} for kind, _ in LAPSE_KINDS}
    for (kind, days), value in zip(keys, row, strict=False):
        found[kind][days] = value
    found["agreement"] = row[-1]
    return found


def _lapsing_ids(kind: str, on: date, by: date):
    """The ids of the holders of a DBS check or police vetting good on `on` that lapses by `by`."""
    if kind == "dbs":
        return select(DbsCheck.volunteer_id).where(*_dbs_conditions(on, vetting_policy(), lapse_by=by))
    return select(PoliceVetting.volunteer_id).where(*_police_conditions(on, lapse_by=by))


def lapsing_people(kind: str, scope: Scope, days: int):
    """The select of the people behind one lapse count, by name (the page paginates it and counts beside each row)."""
    return (select(User).where(_volunteers(scope.areas), lapse_condition(kind, scope, days, listing=True))
            .options(selectinload(User.areas)).order_by(User.full_name, User.id))


def lapse_days(kind: str, ids: list[int], today: date) -> dict[int, date]:
    """The day each of these people's DBS, police vetting or safeguarding stops being good: one query."""
    if not ids or kind == "agreement":
        return {}
    if kind == "dbs":
        years = vetting_policy().recheck_years
        rows = db.session.execute(
            select(DbsCheck.volunteer_id, func.max(DbsCheck.issued_on)).where(
                DbsCheck.volunteer_id.in_(ids), DbsCheck.outcome.is_not(None), DbsCheck.issued_on <= today)
            .group_by(DbsCheck.volunteer_id))
        return {i: add_years(issued, years) for i, issued in rows}
    if kind == "police":
        return dict(db.session.execute(
            select(PoliceVetting.volunteer_id, func.max(PoliceVetting.expires_on)).where(
                PoliceVetting.volunteer_id.in_(ids), PoliceVetting.outcome == NppvOutcome.GRANTED)
            .group_by(PoliceVetting.volunteer_id)).all())
    return dict(db.session.execute(
        select(Completion.user_id, func.max(Completion.expires_on)).join(Course, Course.id == Completion.course_id)
        .where(Completion.user_id.in_(ids), Course.code == SAFEGUARDING, Completion.completed_on <= today)
        .group_by(Completion.user_id)).all())


# ---------------------------------------------------------------- areas, hours, training


def volunteers_by_area(scope: Scope) -> list[tuple[str, int]]:
    """(area, active volunteers) for every active area in scope, in the scheme's order: one query."""
    counted = (select(user_areas.c.area_id, func.count(User.id).label("people"))
               .join(User, User.id == user_areas.c.user_id)
               .where(User.deactivated_at.is_(None), User.role_grants.any(UserRole.role == Role.VOLUNTEER))
               .group_by(user_areas.c.area_id).subquery())
    query = (select(Area.name, func.coalesce(counted.c.people, 0)).outerjoin(counted, counted.c.area_id == Area.id)
             .where(Area.active.is_(True)).order_by(Area.position, Area.id))
    if scope.areas is not None:
        query = query.where(Area.id.in_(list(scope.areas) or [-1]))
    return [tuple(r) for r in db.session.execute(query)]


def _contacts_query(areas, start: date, end: date):
    query = (select(ClientContact).join(Pairing, Pairing.id == ClientContact.pairing_id)
             .join(Client, Client.id == Pairing.client_id).where(ClientContact.contact_on.between(start, end)))
    if areas is not None:
        query = query.where(Client.area_id.in_(list(areas) or [-1]))
    return query


def contacts_by_month(scope: Scope) -> dict[str, tuple[int, int]]:
    """{"YYYY-MM": (contacts, minutes)} for pairs' contacts with clients in scope (the client's area): one query."""
    base = _contacts_query(scope.areas, scope.start, scope.end).subquery()
    return {m: (n, minutes or 0) for m, n, minutes in db.session.execute(
        select(month_of(base.c.contact_on), func.count(), func.sum(base.c.minutes))
        .group_by(month_of(base.c.contact_on)))}


def _attendances(areas, start: date, end: date):
    """Bookings attended (there for all or part) at sessions held in the dates, of people in the areas."""
    return (select(Booking.session_id, Booking.user_id, TrainingSession.course_id,
                   day_of(TrainingSession.starts_at).label("day"),
                   (minutes_between(TrainingSession.starts_at, TrainingSession.ends_at)
                    - func.coalesce(Booking.minutes_missed, 0)).label("minutes"))
            .join(TrainingSession, TrainingSession.id == Booking.session_id)
            .where(Booking.attendance.in_(ATTENDED), TrainingSession.status == SessionStatus.SCHEDULED,
                   _starts_between(start, end), in_areas(Booking.user_id, areas)))


def _starts_between(start: date, end: date):
    """SQL: the session starts on a UTC day from start to end; also as a range of starts_at, so that only
    those days' sessions are read from its index, not every session ever held."""
    return _utc_days(TrainingSession.starts_at, start, end)


def training_by_month(scope: Scope) -> dict[str, tuple[int, int, int]]:
    """{"YYYY-MM": (sessions, attendances, minutes attended)}: one query. Hours are each attendee's time there
    (the session's length less any minutes missed)."""
    base = _attendances(scope.areas, scope.start, scope.end).subquery()
    return {m: (s, a, minutes or 0) for m, s, a, minutes in db.session.execute(
        select(month_of(base.c.day), func.count(func.distinct(base.c.session_id)), func.count(),
               func.sum(base.c.minutes)).group_by(month_of(base.c.day)))}


# ---------------------------------------------------------------- funder reports (one query a table)


def _utc_days(column, start: date, end: date):
    """SQL: the timestamp falls on a UTC day from start to end, as a range the column's index can be read by
    (with the day test as well, so the answer is the day test's on every database)."""
    return and_(column >= datetime.combine(start, time(), UTC),
                column < datetime.combine(end + timedelta(days=1), time(), UTC), day_of(column).between(start, end))


def _decided_between(start: date, end: date):
    """SQL: the application was decided on a UTC day from start to end (read from ix_applications_decided)."""
    return _utc_days(Application.decided_at, start, end)


def recruited_by_area(areas, start: date, end: date) -> list[tuple[str, int]]:
    """People whose application was accepted in the period, per area of their account: one query."""
    accepted = (select(Application.user_id).where(Application.status == Status.ACCEPTED,
                                                  _decided_between(start, end))
                .distinct().subquery())
    return _per_area(accepted.c.user_id, areas)


def _per_area(user_ids, areas) -> list[tuple[str, int]]:
    """(area, people) for the people in `user_ids` (a column of a subquery), for every area in scope, plus the
    total of distinct people as ("Total (each person once)", n): one query."""
    people = select(user_ids.label("user_id")).subquery()
    counted = (select(user_areas.c.area_id, func.count(func.distinct(people.c.user_id)).label("n"))
               .join(people, people.c.user_id == user_areas.c.user_id).group_by(user_areas.c.area_id).subquery())
    area_rows = select(Area.name.label("name"), Area.position.label("position"), func.coalesce(counted.c.n, 0).label("n")) \
        .outerjoin(counted, counted.c.area_id == Area.id).where(Area.active.is_(True))
    if areas is not None:
        area_rows = area_rows.where(Area.id.in_(list(areas) or [-1]))
    total = select(literal("Total (each person once)").label("name"), literal(-1).label("position"),
                   select(func.count(func.distinct(people.c.user_id))).where(in_areas(people.c.user_id, areas))
                   .scalar_subquery().label("n"))
    both = union_all(area_rows, total).subquery()
    return [(name, n) for name, _, n in db.session.execute(
        select(both.c.name, both.c.position, both.c.n).order_by(both.c.position, both.c.name))]


def released_by_area(areas, start: date, end: date) -> list[tuple[str, int]]:
    """People first released to client work in the period, per area: one query."""
    released = select(MentorStanding.volunteer_id).where(
        MentorStanding.first_released_on.between(start, end)).subquery()
    return _per_area(released.c.volunteer_id, areas)


def active_by_area(areas, start: date, end: date) -> list[tuple[str, int]]:
    """People in a pairing at any time in the period, per area: one query."""
    overlaps = and_(Pairing.started_on <= end, or_(Pairing.ended_on.is_(None), Pairing.ended_on >= start))
    members = union_all(select(Pairing.first_id.label("user_id")).where(overlaps),
                        select(Pairing.second_id.label("user_id")).where(overlaps)).subquery()
    return _per_area(members.c.user_id, areas)


def lived_experience(areas, start: date, end: date, values: list[str]) -> list[int]:
    """Of the people accepted in the period: how many told us of each kind of lived experience (by value), one
    query. The answers are a JSON list; each value is matched with its quotes, so no value matches a longer one."""
    text = cast(Application.lived_experience, String)
    query = select(*[func.count(func.distinct(case((text.like(f'%"{v}"%'), Application.user_id))))
                     for v in values] or [literal(0)]).where(
        Application.status == Status.ACCEPTED, _decided_between(start, end),
        in_areas(Application.user_id, areas))
    row = db.session.execute(query).one()
    return list(row) if values else []


def training_by_course(areas, start: date, end: date) -> list[tuple[str, int, int, int, int]]:
    """(course, sessions, attendances, minutes attended, people completing it) for the period: one query."""
    attended = _attendances(areas, start, end).subquery()
    # Grouped by `course_id + 0`: grouped by the column itself, SQLite walked every session ever held in course
    # order (its index) rather than the period's sessions by their start.
    course_id = (attended.c.course_id + 0).label("course_id")
    delivered = (select(course_id, func.count(func.distinct(attended.c.session_id)).label("sessions"),
                        func.count().label("attendances"), func.sum(attended.c.minutes).label("minutes"))
                 .group_by(course_id).subquery())
    completed = (select(Completion.course_id, func.count(func.distinct(Completion.user_id)).label("people"))
                 .where(Completion.completed_on.between(start, end), in_areas(Completion.user_id, areas))
                 .group_by(Completion.course_id).subquery())
    rows = db.session.execute(
        select(Course.title, func.coalesce(delivered.c.sessions, 0), func.coalesce(delivered.c.attendances, 0),
               func.coalesce(delivered.c.minutes, 0), func.coalesce(completed.c.people, 0))
        .outerjoin(delivered, delivered.c.course_id == Course.id)
        .outerjoin(completed, completed.c.course_id == Course.id)
        .where(or_(Course.active.is_(True), delivered.c.sessions.is_not(None), completed.c.people.is_not(None)))
        .order_by(Course.position, Course.title))
    return [tuple(r) for r in rows]


def contacts_in_period(areas, start: date, end: date) -> tuple[int, int, int, int]:
    """(contacts, minutes, pairs with a contact, clients with a contact) in the period: one query."""
    base = _contacts_query(areas, start, end).subquery()
    pairs = select(Pairing.id, Pairing.client_id).subquery()
    row = db.session.execute(
        select(func.count(base.c.id), func.coalesce(func.sum(base.c.minutes), 0),
               func.count(func.distinct(base.c.pairing_id)), func.count(func.distinct(pairs.c.client_id)))
        .select_from(base).outerjoin(pairs, pairs.c.id == base.c.pairing_id)).one()
    return tuple(row)


def expenses_by_stream(areas, start: date, end: date) -> dict[str, tuple[int, int]]:
    """{stream: (pence paid, people paid)} for lines on claims in payment batches paid in the period, of claimants
    in scope: one query."""
    query = (select(Line.stream, func.coalesce(func.sum(Line.pence), 0), func.count(func.distinct(Claim.claimant_id)))
             .join(Claim, Claim.id == Line.claim_id).join(Batch, Batch.id == Claim.batch_id)
             .where(Batch.paid_on.between(start, end), in_areas(Claim.claimant_id, areas)).group_by(Line.stream))
    return {stream: (pence, people) for stream, pence, people in db.session.execute(query)}


def scoped_areas(staff) -> list[Area]:
    """The active areas this member of staff may report on, in order: one query."""
    from app.permissions import area_scope

    scope = area_scope(staff)
    query = select(Area).where(Area.active.is_(True)).order_by(Area.position, Area.id)
    if scope is not None:
        query = query.where(Area.id.in_(scope or [-1]))
    return list(db.session.scalars(query))

