"""The pure core of vetting: plain functions of plain values, with the date always passed in.

Date conventions (chosen, documented and tested):
- A DBS certificate covers a volunteer up to the day before its recheck date; on the recheck date the
  gate fails. The recheck date is the issue date plus the policy's years, so a certificate issued on
  1 March 2024 is rechecked on 1 March 2027 (exactly three years).
- Adding years to 29 February lands on 28 February when the target year has no leap day. This is the
  cautious choice: cover never runs past the policy period (issued 29 Feb 2024 -> recheck 28 Feb 2027).
- Adding months clamps to the end of the month (31 August + 6 months -> 28 or 29 February).
- A police vetting clearance has ended on its expiry date (granted date plus the force's validity years).
- GateResult.until is the last day on which the vetting is good (inclusive), or None when it is not good.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.dates import add_months, add_years
from app.timefmt import format_date
from app.vetting.enums import DbsOutcome, Decision, NppvOutcome, StatusOutcome
from app.vetting.policy import VettingPolicy

CERTIFICATE_NUMBER = re.compile(r"[0-9]{12}")


def normalise_certificate_number(text: str | None) -> str | None:
    """The 12-digit certificate number typed (spaces allowed between digits), or None if it is not one."""
    if text is None:
        return None
    compact = re.sub(r"[\s-]", "", text)
    return compact if CERTIFICATE_NUMBER.fullmatch(compact) else None


def recheck_due(issued_on: date, policy: VettingPolicy) -> date:
    """The day a certificate must be replaced under the recheck period."""
    return add_years(issued_on, policy.recheck_years)


def nppv_expiry(granted_on: date, policy: VettingPolicy) -> date:
    """The day a police vetting clearance ends, from the force's validity period."""
    return add_years(granted_on, policy.nppv_validity_years)


def note_purge_due(decided_on: date, policy: VettingPolicy) -> date:
    """The day a disclosure note must be deleted."""
    return add_months(decided_on, policy.note_retention_months)


def reminder_lead(due_on: date, today: date, lead_days) -> int | None:
    """The reminder to send today for something due on `due_on`: the smallest lead time reached.

    Nothing is sent once the day has passed. A missed earlier reminder is not sent late: at 20 days
    before, only the 30-day reminder applies.
    """
    days_left = (due_on - today).days
    if days_left < 0:
        return None
    reached = [lead for lead in lead_days if days_left <= lead]
    return min(reached) if reached else None


# ---------------------------------------------------------------- facts the shell loads


@dataclass(frozen=True)
class DecisionFacts:
    decision: Decision
    decided_on: date
    recorded_at: datetime | None = None  # when it was entered: a decision only covers what was known then


@dataclass(frozen=True)
class StatusCheckFacts:
    checked_on: date
    outcome: StatusOutcome
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class DbsFacts:
    """One DBS check, as the rules see it."""

    level: object
    workforce: object
    requested_on: date
    submitted_on: date | None = None
    issued_on: date | None = None
    outcome: DbsOutcome | None = None
    subscribed_on: date | None = None
    consent_on: date | None = None
    original_seen_on: date | None = None
    decisions: tuple[DecisionFacts, ...] = ()
    status_checks: tuple[StatusCheckFacts, ...] = ()
    id: int = 0

    @property
    def has_result(self) -> bool:
        return self.outcome is not None and self.issued_on is not None

    @property
    def latest_decision(self) -> DecisionFacts | None:
        return max(self.decisions, key=lambda d: d.decided_on, default=None)

    @property
    def flag(self) -> StatusCheckFacts | None:
        """The first status check that showed new information: from then the certificate is no longer current.

        No decision can make it good again (the organisation cannot see what changed); only a new DBS check can.
        A lapsed subscription is not a flag: the certificate falls back to the recheck period.
        """
        changed = [c for c in self.status_checks if c.outcome == StatusOutcome.CHANGED]
        return min(changed, key=lambda c: c.checked_on, default=None)

    @property
    def subscribed(self) -> bool:
        """Subscribed to the Update Service, and no later status check found the subscription gone."""
        if self.subscribed_on is None:
            return False
        lapses = [c.checked_on for c in self.status_checks if c.outcome == StatusOutcome.NO_SUBSCRIPTION]
        return not any(day >= self.subscribed_on for day in lapses)

    @property
    def needs_decision(self) -> bool:
        """A certificate with information and no risk-assessed decision yet (one decision per check)."""
        return self.has_result and self.outcome == DbsOutcome.DISCLOSED and not self.decisions


@dataclass(frozen=True)
class NppvFacts:
    """One police vetting application, as the rules see it."""

    level: object
    submitted_on: date
    outcome: NppvOutcome | None = None
    granted_on: date | None = None
    expires_on: date | None = None
    outcome_on: date | None = None
    id: int = 0


@dataclass
class GateResult:
    """Is the volunteer's vetting good; if not, why; if so, until when (last good day, inclusive)."""

    ok: bool
    reasons: list[str] = field(default_factory=list)
    until: date | None = None


# ---------------------------------------------------------------- Update Service


def status_check_problems(check: DbsFacts, policy: VettingPolicy) -> list[str]:
    """Why a status check may not be done on this certificate (empty when it may)."""
    problems = []
    if not check.has_result:
        problems.append("Record the certificate first")
    if not check.subscribed:
        problems.append("The volunteer is not subscribed to the DBS Update Service")
    if check.consent_on is None:
        problems.append("Record the volunteer's consent to status checks")
    if check.original_seen_on is None:
        problems.append("Record who saw the original certificate in person")
    if check.level != policy.dbs_level:
        problems.append(f"The certificate is {check.level.label}; status checks must be for the same level "
                        f"as the role ({policy.dbs_level.label})")
    if check.workforce != policy.dbs_workforce:
        problems.append(f"The certificate is for the {check.workforce.label.lower()}; the role is in the "
                        f"{policy.dbs_workforce.label.lower()}")
    return problems


def next_status_check(check: DbsFacts, policy: VettingPolicy) -> date | None:
    """When the next Update Service status check is due, if the scheme uses them for this certificate."""
    if not (policy.uses_update_service and check.has_result and check.subscribed):
        return None
    clean = [c.checked_on for c in check.status_checks if c.outcome == StatusOutcome.NO_CHANGE]
    return add_months(max([check.issued_on, *clean]), policy.status_check_months)


def dbs_cover_ends(check: DbsFacts, policy: VettingPolicy) -> date:
    """The first day this certificate no longer covers the volunteer."""
    return next_status_check(check, policy) or recheck_due(check.issued_on, policy)


# ---------------------------------------------------------------- the gates


def current_dbs(checks) -> DbsFacts | None:
    """The latest check with a certificate: a recheck in progress does not replace the one in hand."""
    done = [c for c in checks if c.has_result]
    return max(done, key=lambda c: (c.issued_on, c.id), default=None)


def dbs_gate(checks, policy: VettingPolicy, on: date) -> GateResult:
    """Is the DBS side good on `on`?"""
    check = current_dbs(checks)
    if check is None:
        return GateResult(False, [_dbs_pending_reason(checks)])
    reasons = []
    if check.level.rank < policy.dbs_level.rank:
        reasons.append(f"The DBS check is {check.level.label}; the scheme needs {policy.dbs_level.label}")
    if check.workforce != policy.dbs_workforce:
        reasons.append(f"The DBS check is for the {check.workforce.label.lower()}; the scheme needs the "
                       f"{policy.dbs_workforce.label.lower()}")
    flag, decision = check.flag, check.latest_decision
    if flag is not None:
        reasons.append(f"The Update Service status check on {format_date(flag.checked_on)} showed new "
                       "information, so this certificate is no longer current: a new DBS check is needed")
    elif check.outcome == DbsOutcome.DISCLOSED and decision is None:
        reasons.append("The DBS certificate shows information: a risk-assessed decision is needed")
    if decision is not None and decision.decision == Decision.DECLINED:
        reasons.append(f"The risk-assessed decision on {format_date(decision.decided_on)} was to decline")
    ends = dbs_cover_ends(check, policy)
    if on >= ends:
        what = "Update Service status check" if next_status_check(check, policy) else "DBS recheck"
        reasons.append(f"The {what} was due on {format_date(ends)}")
    return GateResult(not reasons, reasons, None if reasons else ends - timedelta(days=1))


def _dbs_pending_reason(checks) -> str:
    if not checks:
        return "No DBS check has been started"
    latest = max(checks, key=lambda c: (c.requested_on, c.id))
    if latest.submitted_on is None:
        return "The DBS application has not been submitted yet"
    return "Waiting for the DBS certificate"


def current_nppv(records) -> NppvFacts | None:
    """The latest police vetting application that has an outcome."""
    done = [r for r in records if r.outcome is not None]
    return max(done, key=lambda r: (r.outcome_on or r.submitted_on, r.id), default=None)


def nppv_gate(records, policy: VettingPolicy, on: date) -> GateResult:
    """Is the police vetting side good on `on`?"""
    record = current_nppv(records)
    if record is None:
        reason = "Waiting for the police vetting result" if records else "No police vetting has been started"
        return GateResult(False, [reason])
    if record.outcome == NppvOutcome.REFUSED:
        return GateResult(False, ["Police vetting was refused"])
    if record.outcome == NppvOutcome.WITHDRAWN:
        return GateResult(False, [f"Police vetting was withdrawn on {format_date(record.outcome_on)}"])
    reasons = []
    if record.level.rank < policy.nppv_level.rank:
        reasons.append(f"Police vetting is {record.level.label}; the scheme needs {policy.nppv_level.label}")
    if on >= record.expires_on:
        reasons.append(f"Police vetting expired on {format_date(record.expires_on)}")
    return GateResult(not reasons, reasons, None if reasons else record.expires_on - timedelta(days=1))


def evaluate_gate(checks, nppv_records, policy: VettingPolicy, on: date) -> GateResult:
    """Both sides together: good only when both are, until the earlier of the two ends."""
    dbs, police = dbs_gate(checks, policy, on), nppv_gate(nppv_records, policy, on)
    if dbs.ok and police.ok:
        return GateResult(True, [], min(dbs.until, police.until))
    return GateResult(False, dbs.reasons + police.reasons, None)
