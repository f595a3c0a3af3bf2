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
- Update Service joining windows are inclusive: joined with the certificate number on the 30th day after issue
  is in time, on the 31st it is not; with the application reference, the 28th day after applying is the last.
- A subscription lapses on its renewal date unless a renewal is recorded (renews_on moved on a year); when
  no renewal date was kept, it is a year after joining. A lapsed subscription falls back to the recheck period.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.dates import add_months, add_years
from app.timefmt import format_date
from app.vetting.enums import DbsOutcome, Decision, JoinRoute, NppvOutcome, StatusOutcome
from app.vetting.policy import VettingPolicy

CERTIFICATE_NUMBER = re.compile(r"[0-9]{12}")
JOIN_DAYS = {JoinRoute.CERTIFICATE: 30, JoinRoute.APPLICATION: 28}  # the DBS's own windows


def normalise_certificate_number(text: str | None) -> str | None:
    """The 12-digit certificate number typed (spaces allowed between digits), or None if it is not one."""
    if text is None:
        return None
    compact = re.sub(r"[\s-]", "", text)
    return compact if CERTIFICATE_NUMBER.fullmatch(compact) else None


def recheck_due(issued_on: date, policy: VettingPolicy) -> date:
    """The day a certificate must be replaced under the recheck period."""
    return add_years(issued_on, policy.recheck_years)


def nppv_expiry(granted_on: date, policy: VettingPolicy, level=None, letter_expiry: date | None = None) -> date:
    """The day a police vetting clearance ends: the date on the force's letter when given, else the force's
    validity period for the level."""
    if letter_expiry is not None:
        return letter_expiry
    years = policy.nppv_years(level) if level is not None else policy.nppv_validity_years
    return add_years(granted_on, years)


def next_nppv_review(granted_on: date, expires_on: date, policy: VettingPolicy, on: date) -> date | None:
    """The next periodic review of a clearance on or after `on` (before it expires), if the policy has reviews."""
    if policy.nppv_review_months is None:
        return None
    n = 1
    while (due := add_months(granted_on, n * policy.nppv_review_months)) < on:
        n += 1
    return due if due < expires_on else None


def note_purge_due(decided_on: date, policy: VettingPolicy) -> date:
    """The day a disclosure note must be deleted."""
    return add_months(decided_on, policy.note_retention_months)


def declaration_purge_due(made_on: date, decided_on, issued_on, policy: VettingPolicy) -> date | None:
    """When a self-declaration's details are deleted: with the disclosure notes, the retention period after the
    first DBS decision made on or after the declaration (or, with no decision needed, after the first
    certificate issued on or after it). None while no certificate has come back."""
    later = sorted(day for day in decided_on if day >= made_on) or sorted(day for day in issued_on if day >= made_on)
    return note_purge_due(later[0], policy) if later else None


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
    conditions: tuple[str, ...] = ()
    needs_confirmation: bool = False
    confirmed: bool = False
    decided_by_id: int | None = None

    @property
    def awaiting_confirmation(self) -> bool:
        """An approval that a manager has still to confirm."""
        return self.decision == Decision.APPROVED and self.needs_confirmation and not self.confirmed


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
    join_route: JoinRoute | None = None
    renews_on: date | None = None
    consent_withdrawn_on: date | None = None

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
    def renewal_date(self) -> date | None:
        """The day the subscription lapses unless renewed: the one kept, or a year after joining."""
        if self.subscribed_on is None:
            return None
        return self.renews_on or add_years(self.subscribed_on, 1)

    def subscribed_on_day(self, on: date) -> bool:
        """Subscribed on `on`: joined by then, not found gone, not past the renewal date."""
        return self.subscribed and self.subscribed_on <= on < self.renewal_date

    def consent_on_day(self, on: date) -> bool:
        """The holder's consent to status checks stands on `on` (given by then, not withdrawn by then)."""
        return (self.consent_on is not None and self.consent_on <= on
                and (self.consent_withdrawn_on is None or on < self.consent_withdrawn_on))

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
    open_changes: tuple[date, ...] = ()  # changes of circumstances reported and not yet reviewed by the force


@dataclass
class GateResult:
    """Is the volunteer's vetting good; if not, why; if so, until when (last good day, inclusive)."""

    ok: bool
    reasons: list[str] = field(default_factory=list)
    until: date | None = None


# ---------------------------------------------------------------- Update Service (the rest: rules_update_service.py)


def next_status_check(check: DbsFacts, policy: VettingPolicy, on: date | None = None) -> date | None:
    """When the next Update Service status check is due, if the scheme uses them for this certificate (on `on`).

    A subscription that has lapsed, or consent withdrawn, by `on` means no more status checks: the recheck
    period applies instead.
    """
    if not (policy.uses_update_service and check.has_result and check.subscribed):
        return None
    if on is not None and (on >= check.renewal_date or
                           (check.consent_withdrawn_on is not None and on >= check.consent_withdrawn_on)):
        return None
    clean = [c.checked_on for c in check.status_checks if c.outcome == StatusOutcome.NO_CHANGE]
    return add_months(max([check.issued_on, *clean]), policy.status_check_months)


def dbs_cover_ends(check: DbsFacts, policy: VettingPolicy, on: date | None = None) -> date:
    """The first day this certificate no longer covers the volunteer."""
    return next_status_check(check, policy, on) or recheck_due(check.issued_on, policy)


# ---------------------------------------------------------------- the gates


def current_dbs(checks) -> DbsFacts | None:
    """The latest check with a certificate: a recheck in progress does not replace the one in hand."""
    done = [c for c in checks if c.has_result]
    return max(done, key=lambda c: (c.issued_on, c.id), default=None)


def wrong_check(check: DbsFacts, policy: VettingPolicy) -> bool:
    """The certificate is below the role's level or for a workforce that does not cover the role's."""
    return check.level.rank < policy.dbs_level.rank or not check.workforce.covers(policy.dbs_workforce)


def dbs_gate(checks, policy: VettingPolicy, on: date) -> GateResult:
    """Is the DBS side good on `on`?"""
    check = current_dbs(checks)
    if check is None:
        return GateResult(False, [_dbs_pending_reason(checks)])
    reasons = []
    if check.level.rank < policy.dbs_level.rank:
        reasons.append(f"The DBS check is {check.level.label}; the scheme needs {policy.dbs_level.label}")
    if not check.workforce.covers(policy.dbs_workforce):
        reasons.append(f"The DBS check is for the {check.workforce.label.lower()}; the scheme needs the "
                       f"{policy.dbs_workforce.label.lower()}")
    flag, decision = check.flag, check.latest_decision
    if flag is not None:
        reasons.append(f"The Update Service status check on {format_date(flag.checked_on)} showed new "
                       "information, so this certificate is no longer current: a new DBS check is needed")
    elif check.outcome == DbsOutcome.DISCLOSED and decision is None:
        reasons.append("The DBS certificate shows information: a risk-assessed decision is needed")
    elif decision is not None and decision.awaiting_confirmation and policy.confirm_disclosed_approvals:
        reasons.append("The approval is waiting for a manager to confirm it")
    if decision is not None and decision.decision == Decision.DECLINED:
        reasons.append(f"The risk-assessed decision on {format_date(decision.decided_on)} was to decline")
    ends = dbs_cover_ends(check, policy, on)
    if on >= ends:
        what = "Update Service status check" if next_status_check(check, policy, on) else "DBS recheck"
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
    reported = [day for day in record.open_changes if day <= on]
    if reported:
        reasons.append(f"A change of circumstances reported on {format_date(min(reported))} is with "
                       "the force for review")
    return GateResult(not reasons, reasons, None if reasons else record.expires_on - timedelta(days=1))


def evaluate_gate(checks, nppv_records, policy: VettingPolicy, on: date) -> GateResult:
    """Both sides together: good only when both are, until the earlier of the two ends."""
    dbs, police = dbs_gate(checks, policy, on), nppv_gate(nppv_records, policy, on)
    if dbs.ok and police.ok:
        return GateResult(True, [], min(dbs.until, police.until))
    return GateResult(False, dbs.reasons + police.reasons, None)
