"""The pure gate engine: a volunteer's facts, the policy and a date in; every gate's state out. No I/O.

Date conventions (chosen, documented and tested):
- `until` is the last day a gate is good (inclusive); None when it is not good, or good with no end date.
- A gate is "expiring" when it is good today but for fewer than the gate's `expiring_days` more days:
  with 60 days, good until 1 March is passed on 31 December (60 days before) and expiring from 1 January.
- A record dated after the day asked about (a course completed tomorrow, an agreement signed tomorrow) does
  not count yet.
- DBS and police vetting follow app/vetting/rules.py: good up to the day before the recheck or expiry date.
- A course completion is current up to the day before its expiry date.
"""
import enum
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple

from app.readiness.policy import Gate, ReadinessPolicy
from app.timefmt import format_date
from app.vetting import rules as vetting
from app.vetting.enums import NppvOutcome
from app.vetting.policy import VettingPolicy

DAY = timedelta(days=1)
LABELS = {"passed": "Done", "expiring": "Expiring soon", "pending": "Not done yet", "expired": "Expired",
          "failed": "Not passed"}  # State.label, built once (the CSV asks for it for every gate of every volunteer)
GOOD = frozenset({"passed", "expiring"})  # State.good, the same way
LETTERS = {"passed": "P", "expiring": "E", "pending": "N", "expired": "X", "failed": "F"}  # kept states' letters


class State(enum.StrEnum):
    PASSED = "passed"
    EXPIRING = "expiring"
    PENDING = "pending"
    EXPIRED = "expired"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return LABELS[self]  # a StrEnum member finds its value's key

    @property
    def good(self) -> bool:
        """Good today: passed, or passed and expiring soon."""
        return self in GOOD


class SelfDeclaration(enum.StrEnum):
    NOT_RECORDED = "not_recorded"
    MADE = "made"                          # nothing to declare
    NEEDS_ASSESSMENT = "needs_assessment"  # something declared; a risk assessment is due
    ASSESSED = "assessed"                  # risk-assessed: may go ahead
    DECLINED = "declined"                  # risk-assessed: may not go ahead


class CourseFacts(NamedTuple):
    """One completion (a named tuple: the export makes one for each completion of everyone)."""

    completed_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class Facts:
    """What the records say about one volunteer, as plain values (loaded by queries.load_facts)."""

    application_accepted_on: date | None = None
    references_satisfactory: int = 0
    identity_checked_on: date | None = None
    self_declaration: SelfDeclaration = SelfDeclaration.NOT_RECORDED
    dbs_checks: tuple = ()
    police: tuple = ()
    courses: dict[str, tuple[CourseFacts, ...]] = field(default_factory=dict)
    agreements: dict[int, date] = field(default_factory=dict)  # version -> signed on
    induction_on: date | None = None
    supervisor: str | None = None
    emergency_contact: bool = False


@dataclass(frozen=True)
class GateOutcome:
    """One gate for one volunteer on one day."""

    gate: Gate
    state: State
    evidence: str
    until: date | None = None
    next_step: str = ""
    waiting_on: str = ""  # "you", "coordinator", "referees", "dbs", "police", or "" when nobody is waited on

    @property
    def code(self) -> str:
        return self.gate.code


@dataclass(frozen=True)
class Readiness:
    """Every gate in order; "ready" is computed from them, never stored."""

    outcomes: tuple[GateOutcome, ...]
    on: date

    @property
    def ready(self) -> bool:
        return all(o.state.good for o in self.outcomes)

    @property
    def failing(self) -> list[GateOutcome]:
        return [o for o in self.outcomes if not o.state.good]

    @property
    def until(self) -> date | None:
        """The last day every gate is good (None when not ready, or when nothing ends)."""
        if not self.ready:
            return None
        return min((o.until for o in self.outcomes if o.until is not None), default=None)

    def outcome(self, code: str) -> GateOutcome | None:
        return next((o for o in self.outcomes if o.code == code), None)


def _dated(day: date | None, on: date) -> bool:
    return day is not None and day <= on


def _application(gate, facts: Facts, ctx) -> tuple:
    if _dated(facts.application_accepted_on, ctx.on):
        return State.PASSED, f"Accepted on {format_date(facts.application_accepted_on)}", None, "", ""
    return State.PENDING, "Not accepted yet", None, "Your coordinator decides on your application", "coordinator"


def _references(gate, facts: Facts, ctx) -> tuple:
    have = facts.references_satisfactory
    if have >= gate.count:
        return State.PASSED, f"{have} satisfactory references", None, "", ""
    return (State.PENDING, f"{have} of {gate.count} satisfactory references so far", None,
            "Your coordinator is waiting for your referees", "referees")


def _identity(gate, facts: Facts, ctx) -> tuple:
    if _dated(facts.identity_checked_on, ctx.on):
        return State.PASSED, f"Checked on {format_date(facts.identity_checked_on)}", None, "", ""
    return State.PENDING, "Not checked yet", None, "Show your coordinator your identity documents", "coordinator"


def _self_declaration(gate, facts: Facts, ctx) -> tuple:
    made = facts.self_declaration
    if made == SelfDeclaration.MADE:
        return State.PASSED, "Made", None, "", ""
    if made == SelfDeclaration.ASSESSED:
        return State.PASSED, "Made and risk-assessed", None, "", ""
    if made == SelfDeclaration.NEEDS_ASSESSMENT:
        return State.PENDING, "Made; being risk-assessed", None, "Your coordinator is considering it", "coordinator"
    if made == SelfDeclaration.DECLINED:
        return State.FAILED, "Risk-assessed: the scheme cannot go ahead", None, "Talk to your coordinator", "coordinator"
    return State.PENDING, "Not recorded yet", None, "Your coordinator will ask you for it", "coordinator"


def _dbs(gate, facts: Facts, ctx) -> tuple:
    checks, policy, on = facts.dbs_checks, ctx.vetting, ctx.on
    result = vetting.dbs_gate(checks, policy, on)
    if result.ok:
        current = vetting.current_dbs(checks)
        return State.PASSED, f"Certificate issued on {format_date(current.issued_on)}", result.until, "", ""
    current = vetting.current_dbs(checks)
    reason = "; ".join(result.reasons)
    if current is None:
        waiting = "dbs" if checks and all(c.submitted_on for c in checks) else "coordinator"
        step = "Waiting for the DBS" if waiting == "dbs" else "Your coordinator will start your DBS check"
        return State.PENDING, reason, None, step, waiting
    ends = vetting.dbs_cover_ends(current, policy)
    if on >= ends and vetting.dbs_gate(checks, policy, ends - DAY).ok:
        return State.EXPIRED, reason, None, "Your coordinator will start a new DBS check", "coordinator"
    if current.needs_decision:
        return State.PENDING, reason, None, "Your coordinator will make a decision", "coordinator"
    return State.FAILED, reason, None, "Talk to your coordinator", "coordinator"


def _police(gate, facts: Facts, ctx) -> tuple:
    records, on = facts.police, ctx.on
    result = vetting.nppv_gate(records, ctx.vetting, on)
    current = vetting.current_nppv(records)
    if result.ok:
        return State.PASSED, f"Granted on {format_date(current.granted_on)}", result.until, "", ""
    reason = "; ".join(result.reasons)
    if current is None:
        waiting = "police" if records else "coordinator"
        step = "Waiting for the police" if records else "Your coordinator will apply for your police vetting"
        return State.PENDING, reason, None, step, waiting
    if (current.outcome == NppvOutcome.GRANTED and on >= current.expires_on
            and vetting.nppv_gate(records, ctx.vetting, current.expires_on - DAY).ok):
        return State.EXPIRED, reason, None, "Your coordinator will apply for police vetting again", "coordinator"
    return State.FAILED, reason, None, "Talk to your coordinator", "coordinator"


def _course(gate, facts: Facts, ctx) -> tuple:
    on = ctx.on
    done = [c for c in facts.courses.get(gate.course, ()) if c.completed_on <= on]
    current = [c for c in done if c.expires_on is None or on < c.expires_on]
    if current:
        latest = max(current, key=lambda c: c.completed_on)
        ends = None if any(c.expires_on is None for c in current) else max(c.expires_on for c in current)
        until = ends - DAY if ends else None
        return State.PASSED, f"Completed on {format_date(latest.completed_on)}", until, "Book a refresher", ""
    if done:
        lapsed = max(c.expires_on for c in done)
        return State.EXPIRED, f"Expired on {format_date(lapsed)}", None, "Book a refresher", "you"
    return State.PENDING, "Not completed yet", None, "Book a place", "you"


def _agreement(gate, facts: Facts, ctx) -> tuple:
    version = ctx.policy.agreement_version
    signed = facts.agreements.get(version)
    if _dated(signed, ctx.on):
        return State.PASSED, f"Version {version} signed on {format_date(signed)}", None, "", ""
    if any(_dated(day, ctx.on) for v, day in facts.agreements.items() if v < version):
        return (State.PENDING, f"The agreement has changed (now version {version}): sign it again", None,
                "Read and sign the new agreement", "you")
    return State.PENDING, "Not signed yet", None, "Read and sign the agreement", "you"


def _induction(gate, facts: Facts, ctx) -> tuple:
    if _dated(facts.induction_on, ctx.on) and facts.supervisor:
        return (State.PASSED, f"Held on {format_date(facts.induction_on)}; supervisor {facts.supervisor}",
                None, "", "")
    return State.PENDING, "Not held yet", None, "Your coordinator will arrange it with you", "coordinator"


def _emergency_contact(gate, facts: Facts, ctx) -> tuple:
    if facts.emergency_contact:
        return State.PASSED, "Recorded", None, "", ""
    return State.PENDING, "Not given yet", None, "Add an emergency contact", "you"


EVALUATORS = {"application": _application, "references": _references, "identity": _identity,
              "self_declaration": _self_declaration, "dbs": _dbs, "police_vetting": _police, "course": _course,
              "agreement": _agreement, "induction": _induction, "emergency_contact": _emergency_contact}


@dataclass(frozen=True)
class _Context:
    policy: ReadinessPolicy
    vetting: VettingPolicy
    on: date


def evaluate_gate(gate: Gate, facts: Facts, ctx: _Context) -> GateOutcome:
    """One gate; a good gate ending within its lead time is "expiring"."""
    state, evidence, until, step, waiting = EVALUATORS[gate.rule](gate, facts, ctx)
    if state == State.PASSED and until is not None and (until - ctx.on).days < gate.expiring_days:
        state, waiting = State.EXPIRING, "you" if gate.rule == "course" else "coordinator"
    if state == State.PASSED:
        step = ""
    return GateOutcome(gate, state, evidence, until, step, waiting)


def evaluate(facts: Facts, policy: ReadinessPolicy, vetting_policy: VettingPolicy, on: date) -> Readiness:
    """Every gate in the policy's order, for one volunteer on `on`."""
    ctx = _Context(policy, vetting_policy, on)
    return Readiness(tuple(evaluate_gate(g, facts, ctx) for g in policy.gates), on)


def release_problems(readiness: Readiness) -> list[str]:
    """Why a volunteer cannot be released on the readiness's day: each gate not good, in the staff's words."""
    return [f"{o.gate.staff}: {o.state.label.lower()} ({o.evidence})" for o in readiness.failing]


def warning_lead(until: date, today: date, lead_days) -> int | None:
    """The warning to send today for a gate good until `until` (it lapses the day after): the smallest lead time
    reached, counted in days before the lapse; none once it has lapsed, and a missed one is not sent late."""
    if today > until:
        return None
    return vetting.reminder_lead(until + DAY, today, lead_days)


# ---------------------------------------------------------------- many volunteers: each gate once per set of facts
#
# Many volunteers have the same facts as far as one gate is concerned (no DBS check yet, the same course done on
# the same day, ...). A gate's outcome is a function of the gate, the day, the policies and the facts its rule
# reads, so a Decider decides each gate once for each distinct set of those facts and hands the same outcome to
# everyone who shares them. READS says, for each rule, which facts its evaluator above reads: change one and
# change the other (tests/readiness/test_rules_memo.py varies every fact to check that no read is missing).


def _fields_but_id(cls) -> attrgetter:
    return attrgetter(*[f.name for f in fields(cls) if f.name != "id"])


DBS_READS, NPPV_READS = _fields_but_id(vetting.DbsFacts), _fields_but_id(vetting.NppvFacts)


def records_key(records: tuple, reads: attrgetter) -> tuple:
    """DBS checks or police vetting applications as their rule reads them: every field but the database id, and
    in the id's place each record's rank in id order (the rules use ids only to break ties between records), so
    two volunteers with the same records but different ids share one key."""
    ids = [r.id for r in records]
    ranks = tuple(sorted(ids).index(i) for i in ids) if len(ids) > 1 else ()
    return ranks, tuple(map(reads, records))


READS = {  # rule -> (gate, facts) -> the facts its evaluator reads, as one hashable value
    "application": lambda gate, f: f.application_accepted_on,
    "references": lambda gate, f: f.references_satisfactory,
    "identity": lambda gate, f: f.identity_checked_on,
    "self_declaration": lambda gate, f: f.self_declaration,
    "dbs": lambda gate, f: records_key(f.dbs_checks, DBS_READS),
    "police_vetting": lambda gate, f: records_key(f.police, NPPV_READS),
    "course": lambda gate, f: f.courses.get(gate.course, ()),
    "agreement": lambda gate, f: frozenset(f.agreements.items()),
    "induction": lambda gate, f: (f.induction_on, f.supervisor),
    "emergency_contact": lambda gate, f: f.emergency_contact,
}
MEMO_LIMIT = 20_000  # outcomes kept per gate; past this a gate's memo starts again (memory stays bounded)


class Decider:
    """Every gate for many volunteers on one day under one pair of policies (the bulk form of evaluate): each
    gate decided by evaluate_gate once per distinct set of the facts its rule reads (READS), and that outcome
    shared by everyone with the same facts. Keep one for as many volunteers as are decided together (an
    export's batches); the outcomes are the ones evaluate gives, person by person."""

    def __init__(self, policy: ReadinessPolicy, vetting_policy: VettingPolicy, on: date):
        self.policy, self.vetting, self.on = policy, vetting_policy, on
        self.ctx = _Context(policy, vetting_policy, on)
        self._gates = [(g, READS[g.rule], {}) for g in policy.gates]

    def readiness(self, facts: Facts) -> Readiness:
        return self.decide([facts])[0]

    def decide(self, people: list[Facts]) -> list[Readiness]:
        """Each volunteer's Readiness, in the order given, worked out a gate at a time for all of them."""
        columns = []
        for gate, reads, seen in self._gates:
            columns.append([seen.get(key) or self._first(gate, seen, key, facts)
                            for key, facts in zip([reads(gate, f) for f in people], people, strict=True)])
        if not columns:
            return [Readiness((), self.on) for _ in people]
        return [Readiness(outcomes, self.on) for outcomes in zip(*columns, strict=True)]

    def _first(self, gate: Gate, seen: dict, key, facts: Facts) -> GateOutcome:
        """The gate decided for the first volunteer with these facts, kept for the next."""
        if len(seen) >= MEMO_LIMIT:
            seen.clear()
        outcome = seen[key] = evaluate_gate(gate, facts, self.ctx)
        return outcome
