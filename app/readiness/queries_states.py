"""Gate states as SQL conditions: the list filters select people in the database instead of deciding everyone.

Each condition here says in SQL exactly what app/readiness/rules.py decides in Python, for one day `on`; the
test tests/readiness/test_state_sql.py builds many varied volunteers and checks the two agree. Date arithmetic
is never done in SQL: a rule like "on or after the recheck date (issued on + 3 years)" becomes "issued on or
before the last issue date whose recheck date is on or before `on`", worked out here in Python once per request.

Policies whose DBS cover depends on the Update Service (the next status check) are not expressed here:
`supported` says so, and the list then decides people in Python as before.
"""
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from app.applications.models import Application, Referee
from app.applications.rules import Status
from app.auth.models import User
from app.dates import add_years, last_day_before
from app.readiness.models import AgreementSignature, EmergencyContact, Induction, MentorStanding, Standing
from app.readiness.policy import Gate, ReadinessPolicy
from app.readiness.rules import State
from app.timefmt import LONDON
from app.training.models import Completion, Course
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvLevel, NppvOutcome, StatusOutcome, Workforce
from app.vetting.models import (
    DbsCheck,
    DbsConfirmation,
    DbsDecision,
    IdentityCheck,
    NppvChange,
    PoliceVetting,
    SelfDeclaration,
    StatusCheck,
)
from app.vetting.policy import VettingPolicy

DAY = timedelta(days=1)


def supported(vetting: VettingPolicy) -> bool:
    """True when every gate's state can be written as SQL for this vetting policy."""
    return not vetting.uses_update_service


@lru_cache(maxsize=64)
def matching(policy: ReadinessPolicy, vetting: VettingPolicy, on: date, gate_code: str | None, state: str | None,
             within: int | None):
    """`StateSql(policy, vetting, on).matching(...)`, built once per day, policies and filter rather than on every
    request: the ready list's condition (every gate of every kind) took 40% of the page's time to build, at any
    number of people. An SQL expression only, never rows: each request reads afresh what it finds."""
    return StateSql(policy, vetting, on).matching(gate_code, state, within)


class StateSql:
    """Builds, for one day and policy, the SQL condition (on User.id) for a gate being in a state."""

    def __init__(self, policy: ReadinessPolicy, vetting: VettingPolicy, on: date):
        self.policy, self.vetting, self.on = policy, vetting, on

    # ------------------------------------------------------------ public

    def gate_in(self, gate: Gate, state: State):
        return getattr(self, f"_{gate.rule}")(gate, State(state))

    def gate_good_until_by(self, gate: Gate, horizon: date):
        """The gate is good today and its `until` is on or before `horizon`."""
        if gate.rule == "dbs":
            check = aliased(DbsCheck)
            return exists(select(check.id).where(check.id == self._current_dbs_id(), *self._dbs_good(check),
                                                 check.issued_on <= self._recheck_start(horizon + DAY)))
        if gate.rule == "police_vetting":
            record = aliased(PoliceVetting)
            return exists(select(record.id).where(record.id == self._current_police_id(), *self._police_good(record),
                                                  record.expires_on <= horizon + DAY))
        if gate.rule == "course":
            return and_(self._course_current(gate), self._course_ends_by(gate, horizon + DAY))
        return false()

    def gate_good(self, gate: Gate):
        """Passed or expiring: one condition, half the SQL of the two states joined."""
        if gate.rule == "dbs":
            check = aliased(DbsCheck)
            return exists(select(check.id).where(check.id == self._current_dbs_id(), *self._dbs_good(check)))
        if gate.rule == "police_vetting":
            record = aliased(PoliceVetting)
            return exists(select(record.id).where(record.id == self._current_police_id(), *self._police_good(record)))
        if gate.rule == "course":
            return self._course_current(gate)
        return self.gate_in(gate, State.PASSED)  # the other gates are never "expiring"

    def ready(self):
        """Every gate good: the courses first (cheap, and the gates most often not passed, as they expire), then the
        other cheap ones, then the rest; SQLite stops at the first false (courses first: 80 to 54 ms for a
        coordinator's ready list at 50,000 people)."""
        def order(gate):
            return 0 if gate.rule == "course" else 1 if gate.rule in ("emergency_contact", "identity") else 2
        return and_(*[self.gate_good(g) for g in sorted(self.policy.gates, key=order)])

    def released(self):
        return exists(select(MentorStanding.id).where(MentorStanding.volunteer_id == User.id,
                                                      MentorStanding.status == Standing.RELEASED))

    def matching(self, gate_code: str | None, state: str | None, within: int | None):
        """The list filters as one condition, the same as queries._matches."""
        gates = [self.policy.gate(gate_code)] if gate_code else list(self.policy.gates)
        gates = [g for g in gates if g is not None]
        conditions = []
        if state == "ready":  # not released first: in a running scheme most people are, and it is one lookup
            conditions += [not_(self._tested_in_turn(self.released())), self.ready()]
        elif state == "released":
            conditions.append(self.released())
        elif state:
            conditions.append(or_(false(), *[self.gate_in(g, State(state)) for g in gates]))
        if within is not None:
            horizon = self.on + timedelta(days=within)
            conditions.append(or_(false(), *[self.gate_good_until_by(g, horizon) for g in gates]))
        return and_(true(), *conditions)

    @staticmethod
    def _tested_in_turn(condition):
        """`condition` (an EXISTS) as a test on each person as they are read, not a join. PostgreSQL turns a bare
        `NOT EXISTS` into an anti-join done after the person's other tests; "not released" then came after some
        twenty lookups a person for the ~3,500 people in a coordinator's areas whose courses are current, where
        it leaves ~700 (the ready list at 50,000 people: 112,000 buffers to 59,000). COALESCE of an EXISTS is
        the same truth value; SQLite, which tests each person in turn anyway, is unchanged."""
        return func.coalesce(condition, false())

    # ------------------------------------------------------------ simple gates: passed or pending

    @staticmethod
    def _two_way(state: State, passed):
        if state == State.PASSED:
            return passed
        if state == State.PENDING:
            return not_(passed)
        return false()

    def _application(self, gate, state):
        """Passed when the latest accepted application (still standing) was decided on or before `on`."""
        latest = (select(Application.decided_at)
                  .where(Application.user_id == User.id, Application.status == Status.ACCEPTED,
                         Application.decided_at.is_not(None))
                  .order_by(Application.id.desc()).limit(1).correlate_except(Application).scalar_subquery())
        next_midnight = datetime.combine(self.on + DAY, time(), LONDON).astimezone(UTC)
        return self._two_way(state, and_(latest.is_not(None), latest < next_midnight))

    def _references(self, gate, state):
        """The satisfactory references of the latest application not declined or withdrawn."""
        latest = (select(Application.id).where(Application.user_id == User.id,
                                               Application.status.not_in([Status.DECLINED, Status.WITHDRAWN]))
                  .order_by(Application.id.desc()).limit(1).correlate_except(Application).scalar_subquery())
        count = (select(func.count(Referee.id)).where(Referee.application_id == latest,
                                                      Referee.satisfactory.is_(True))
                 .correlate_except(Referee).scalar_subquery())
        return self._two_way(state, count >= gate.count)

    def _identity(self, gate, state):
        return self._two_way(state, exists(select(IdentityCheck.id).where(
            IdentityCheck.volunteer_id == User.id, IdentityCheck.checked_on <= self.on)))

    def _agreement(self, gate, state):
        return self._two_way(state, exists(select(AgreementSignature.id).where(
            AgreementSignature.volunteer_id == User.id, AgreementSignature.version == self.policy.agreement_version,
            AgreementSignature.signed_on <= self.on)))

    def _induction(self, gate, state):
        latest = aliased(Induction)
        latest_id = (select(Induction.id).where(Induction.volunteer_id == User.id)
                     .order_by(Induction.held_on.desc(), Induction.id.desc()).limit(1)
                     .correlate_except(Induction).scalar_subquery())
        return self._two_way(state, exists(select(latest.id).where(
            latest.id == latest_id, latest.held_on <= self.on, latest.supervisor_id.is_not(None))))

    def _emergency_contact(self, gate, state):
        return self._two_way(state, exists(select(EmergencyContact.id).where(EmergencyContact.volunteer_id == User.id)))

    # ------------------------------------------------------------ self-declaration

    def _self_declaration(self, gate, state):
        made = aliased(SelfDeclaration)
        latest_id = (select(SelfDeclaration.id).where(SelfDeclaration.volunteer_id == User.id)
                     .order_by(SelfDeclaration.made_on.desc(), SelfDeclaration.id.desc()).limit(1)
                     .correlate_except(SelfDeclaration).scalar_subquery())
        check = aliased(DbsCheck)
        decision = aliased(DbsDecision)
        last_decision = (select(decision.decision).join(check, check.id == decision.dbs_check_id)
                         .where(check.volunteer_id == User.id, decision.decided_on >= made.made_on)
                         .order_by(decision.decided_on.desc(), decision.id.desc()).limit(1)
                         .correlate_except(decision, check).scalar_subquery())
        declared = [made.id == latest_id]
        nothing = exists(select(made.id).where(*declared, made.has_something.is_(False)))
        approved = exists(select(made.id).where(*declared, made.has_something.is_(True),
                                                last_decision == Decision.APPROVED))
        declined = exists(select(made.id).where(*declared, made.has_something.is_(True),
                                                last_decision != Decision.APPROVED))
        if state == State.PASSED:
            return or_(nothing, approved)
        if state == State.FAILED:
            return declined
        if state == State.PENDING:
            return not_(or_(nothing, approved, declined))
        return false()

    # ------------------------------------------------------------ DBS (recheck period)

    def _recheck_start(self, day: date) -> date:
        """The latest issue date whose recheck date is on or before `day`."""
        return last_day_before(lambda d: add_years(d, self.vetting.recheck_years), day)

    @staticmethod
    def _current_dbs_id():
        check = aliased(DbsCheck)
        return (select(check.id).where(check.volunteer_id == User.id, check.outcome.is_not(None),
                                       check.issued_on.is_not(None))
                .order_by(check.issued_on.desc(), check.id.desc()).limit(1).correlate_except(check).scalar_subquery())

    def _dbs_blocked(self, check):
        """Any reason the certificate in hand is not good, other than its date."""
        levels = [lv for lv in DbsLevel if lv.rank >= self.vetting.dbs_level.rank]
        workforces = [w for w in Workforce if w.covers(self.vetting.dbs_workforce)]
        decision = aliased(DbsDecision)
        latest = (select(decision.id).where(decision.dbs_check_id == check.id)
                  .order_by(decision.decided_on.desc(), decision.id.asc()).limit(1)
                  .correlate_except(decision).scalar_subquery())
        flagged = exists(select(StatusCheck.id).where(StatusCheck.dbs_check_id == check.id,
                                                      StatusCheck.outcome == StatusOutcome.CHANGED))
        undecided = and_(check.outcome == DbsOutcome.DISCLOSED,
                         not_(exists(select(DbsDecision.id).where(DbsDecision.dbs_check_id == check.id))))
        last = aliased(DbsDecision)
        declined = exists(select(last.id).where(last.id == latest, last.decision == Decision.DECLINED))
        reasons = [check.level.not_in(levels), check.workforce.not_in(workforces), flagged, undecided, declined]
        if self.vetting.confirm_disclosed_approvals:
            reasons.append(exists(select(last.id).where(
                last.id == latest, last.decision == Decision.APPROVED, last.needs_confirmation.is_(True),
                not_(exists(select(DbsConfirmation.id).where(DbsConfirmation.decision_id == last.id))))))
        return or_(*reasons)

    def _dbs_good(self, check) -> list:
        return [not_(self._dbs_blocked(check)), check.issued_on > self._recheck_start(self.on)]

    def _dbs(self, gate, state):
        check = aliased(DbsCheck)
        current = [check.id == self._current_dbs_id()]
        due = check.issued_on <= self._recheck_start(self.on)
        expired = and_(not_(self._dbs_blocked(check)), due)
        needs_decision = and_(check.outcome == DbsOutcome.DISCLOSED,
                              not_(exists(select(DbsDecision.id).where(DbsDecision.dbs_check_id == check.id))))
        soon = check.issued_on <= self._recheck_start(self.on + timedelta(days=gate.expiring_days))
        found = {
            State.PASSED: and_(*self._dbs_good(check), not_(soon)),
            State.EXPIRING: and_(*self._dbs_good(check), soon),
            State.EXPIRED: expired,
            State.FAILED: and_(not_(and_(*self._dbs_good(check))), not_(expired), not_(needs_decision)),
        }
        if state == State.PENDING:
            in_hand = exists(select(check.id).where(*current))
            return or_(not_(in_hand), exists(select(check.id).where(
                *current, not_(and_(*self._dbs_good(check))), not_(expired), needs_decision)))
        return exists(select(check.id).where(*current, found[state]))

    # ------------------------------------------------------------ police vetting

    @staticmethod
    def _current_police_id():
        record = aliased(PoliceVetting)
        return (select(record.id).where(record.volunteer_id == User.id, record.outcome.is_not(None))
                .order_by(func.coalesce(record.outcome_on, record.submitted_on).desc(), record.id.desc())
                .limit(1).correlate_except(record).scalar_subquery())

    def _police_level_ok(self, record):
        return record.level.in_([lv for lv in NppvLevel if lv.rank >= self.vetting.nppv_level.rank])

    @staticmethod
    def _open_change_by(record, day: date, inclusive: bool = True):
        reported = NppvChange.reported_on <= day if inclusive else NppvChange.reported_on < day
        return exists(select(NppvChange.id).where(NppvChange.police_vetting_id == record.id,
                                                  NppvChange.reviewed_on.is_(None), reported))

    def _police_good(self, record) -> list:
        return [record.outcome == NppvOutcome.GRANTED, self._police_level_ok(record), record.expires_on > self.on,
                not_(self._open_change_by(record, self.on))]

    def _police(self, gate, state):
        record = aliased(PoliceVetting)
        current = [record.id == self._current_police_id()]
        good = and_(*self._police_good(record))
        soon = record.expires_on <= self.on + timedelta(days=gate.expiring_days)
        expired = and_(record.outcome == NppvOutcome.GRANTED, self._police_level_ok(record),
                       record.expires_on <= self.on,
                       not_(exists(select(NppvChange.id).where(
                           NppvChange.police_vetting_id == record.id, NppvChange.reviewed_on.is_(None),
                           NppvChange.reported_on < record.expires_on))))
        if state == State.PENDING:
            return not_(exists(select(record.id).where(*current)))
        found = {State.PASSED: and_(good, not_(soon)), State.EXPIRING: and_(good, soon), State.EXPIRED: expired,
                 State.FAILED: and_(not_(good), not_(expired))}
        return exists(select(record.id).where(*current, found[state]))

    _police_vetting = _police

    # ------------------------------------------------------------ courses

    def _completions(self, gate, *where):
        """The volunteer's completions of the gate's course done by `on` (the course found by a subquery, not a
        join, so the planner searches each person's completions rather than every completion of the course)."""
        course_id = select(Course.id).where(Course.code == gate.course).scalar_subquery()
        return (select(Completion.id)
                .where(Completion.user_id == User.id, Completion.course_id == course_id,
                       Completion.completed_on <= self.on, *where))

    def _course_current(self, gate):
        return exists(self._completions(gate, or_(Completion.expires_on.is_(None), Completion.expires_on > self.on)))

    def _course_ends_by(self, gate, day: date):
        """Every current completion expires, and none later than `day`."""
        return not_(exists(self._completions(gate, or_(Completion.expires_on.is_(None), Completion.expires_on > day))))

    def _course(self, gate, state):
        current, done = self._course_current(gate), exists(self._completions(gate))
        soon = self._course_ends_by(gate, self.on + timedelta(days=gate.expiring_days))
        found = {State.PASSED: and_(current, not_(soon)), State.EXPIRING: and_(current, soon),
                 State.EXPIRED: and_(not_(current), done), State.PENDING: not_(done)}
        return found.get(state, false())
