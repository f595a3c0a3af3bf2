"""Vetting records: DBS checks (with decisions and Update Service status checks), police vetting, reminders sent.

Only what the DBS code of practice allows is kept: check type, certificate number, issue date, outcome and
the decision (who, when). The reasons written for a decision are purged after the retention period.
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.db_types import UTCDateTime, enum_column, utcnow
from app.extensions import db
from app.vetting import rules
from app.vetting.enums import (
    ChangeKind,
    DbsLevel,
    DbsOutcome,
    Decision,
    IdDocument,
    IdRoute,
    JoinRoute,
    NppvLevel,
    NppvOutcome,
    ReminderKind,
    ReviewOutcome,
    StatusOutcome,
    Workforce,
)


class DbsCheck(Versioned, db.Model):
    """One DBS check for one volunteer. A recheck adds a new record; old ones are kept."""
    noun = "DBS check"

    __tablename__ = "dbs_checks"
    # The work list finds each person's current check (latest issue date, then id) and pending ones from this
    # index alone, one search per person.
    # The work list's lists start from these: a recheck band by issue date, an outcome, a level or workforce.
    __table_args__ = (Index("ix_dbs_checks_current", "volunteer_id", "issued_on", "id", "outcome", "submitted_on"),
                      Index("ix_dbs_checks_issued_on", "issued_on", "volunteer_id"),
                      Index("ix_dbs_checks_outcome", "outcome", "volunteer_id"),
                      Index("ix_dbs_checks_level", "level", "volunteer_id"),
                      Index("ix_dbs_checks_workforce", "workforce", "volunteer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # indexed first in ix_*_current
    level: Mapped[DbsLevel] = mapped_column(enum_column(DbsLevel, "dbs_level", 20))
    workforce: Mapped[Workforce] = mapped_column(enum_column(Workforce, "dbs_workforce", 10))
    volunteer_check: Mapped[bool] = mapped_column(Boolean, default=True)
    requested_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    certificate_number: Mapped[str | None] = mapped_column(String(12))
    issued_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[DbsOutcome | None] = mapped_column(enum_column(DbsOutcome, "dbs_outcome", 10))
    # Update Service
    subscribed_on: Mapped[date | None] = mapped_column(Date)
    consent_on: Mapped[date | None] = mapped_column(Date)
    original_seen_on: Mapped[date | None] = mapped_column(Date)
    original_seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    join_route: Mapped[JoinRoute | None] = mapped_column(enum_column(JoinRoute, "dbs_join_route", 12))
    renews_on: Mapped[date | None] = mapped_column(Date)  # the subscription lapses on this day unless renewed
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    volunteer = relationship("User", foreign_keys=[volunteer_id], lazy="raise")
    original_seen_by = relationship("User", foreign_keys=[original_seen_by_id], lazy="selectin")
    decisions: Mapped[list["DbsDecision"]] = relationship(
        back_populates="check", cascade="all, delete-orphan", order_by="DbsDecision.id", lazy="selectin")
    status_checks: Mapped[list["StatusCheck"]] = relationship(
        back_populates="check", cascade="all, delete-orphan", order_by="StatusCheck.id", lazy="selectin")

    def facts(self) -> rules.DbsFacts:
        """This check as plain values for the rules."""
        return dbs_facts(self, tuple(d.facts() for d in self.decisions),
                         tuple(status_check_facts(s) for s in self.status_checks))

    def problem_with(self, action: str) -> str | None:
        """Why `action` cannot be recorded on this check now (None when it can): the one state machine."""
        facts = self.facts()
        problems = {
            "submission": "This DBS application has already been recorded as submitted." if self.submitted_on else None,
            "result": ("Record when the application was submitted first." if self.submitted_on is None else
                       "This DBS check already has its certificate recorded." if self.outcome else None),
            "decision": None if facts.needs_decision else "This DBS check does not need a decision.",
            "update_service": None if facts.has_result else "Record the certificate before its Update Service details.",
        }
        return problems[action]

    @property
    def stage(self) -> str:
        """Where the check has got to, in a few words."""
        if self.submitted_on is None:
            return "Awaiting submission"
        if self.outcome is None:
            return "Awaiting result"
        if self.facts().needs_decision:
            return "Awaiting decision"
        return self.outcome.label


class DbsDecision(db.Model):
    """A risk-assessed decision on a DBS check: who decided, when, and (until purged) why."""

    __tablename__ = "dbs_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One decision per check: a changed certificate needs a new check, not a second decision.
    __table_args__ = (Index("uq_dbs_decisions_one_per_check", "dbs_check_id", unique=True),)

    dbs_check_id: Mapped[int] = mapped_column(ForeignKey("dbs_checks.id", ondelete="CASCADE"))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "dbs_decision", 10))
    rationale: Mapped[str | None] = mapped_column(Text)
    rationale_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Codes from the policy's [conditions]; they say nothing of the disclosure and are kept after the purge.
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Set when the decision is made: an approval of a disclosed check that a manager must confirm.
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    check: Mapped[DbsCheck] = relationship(back_populates="decisions")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="selectin")
    confirmation: Mapped["DbsConfirmation | None"] = relationship(
        back_populates="decision", cascade="all, delete-orphan", lazy="selectin", uselist=False)

    def facts(self) -> rules.DecisionFacts:
        return decision_facts(self, self.confirmation is not None)


class DbsConfirmation(db.Model):
    """A manager's confirmation of an approval of a check that disclosed information (one per decision)."""

    __tablename__ = "dbs_decision_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("dbs_decisions.id", ondelete="CASCADE"), unique=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decision: Mapped[DbsDecision] = relationship(back_populates="confirmation")
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id], lazy="selectin")


class IdentityCheck(db.Model):
    """An identity check under the DBS ID checking guidelines: which documents, by whom, when. Never a copy."""

    __tablename__ = "identity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    route: Mapped[IdRoute] = mapped_column(enum_column(IdRoute, "id_route", 10))
    documents: Mapped[list[str]] = mapped_column(JSON)  # IdDocument values: the types seen, never their contents
    names_confirmed: Mapped[bool] = mapped_column(Boolean)
    addresses_confirmed: Mapped[bool] = mapped_column(Boolean)  # every address of the last five years
    checked_on: Mapped[date] = mapped_column(Date)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    checked_by = relationship("User", foreign_keys=[checked_by_id], lazy="selectin")

    @property
    def document_labels(self) -> list[str]:
        return [IdDocument(d).label for d in self.documents]


class StatusCheck(db.Model):
    """An Update Service status check made on a certificate, with the holder's consent."""

    __tablename__ = "dbs_status_checks"
    __table_args__ = (Index("ix_dbs_status_checks_outcome", "outcome", "dbs_check_id"),)  # the work list's flags

    id: Mapped[int] = mapped_column(primary_key=True)
    dbs_check_id: Mapped[int] = mapped_column(ForeignKey("dbs_checks.id", ondelete="CASCADE"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[StatusOutcome] = mapped_column(enum_column(StatusOutcome, "dbs_status_outcome", 20))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    check: Mapped[DbsCheck] = relationship(back_populates="status_checks")
    checked_by = relationship("User", foreign_keys=[checked_by_id], lazy="selectin")


class PoliceVetting(Versioned, db.Model):
    """One non-police personnel vetting (NPPV) application to the force, and its outcome."""
    noun = "police vetting record"

    __tablename__ = "police_vettings"
    # The work list finds each person's latest decided application, and waiting ones, from this index alone.
    # The work list's lists start from the others: an expiry band, an outcome (or none yet), a level.
    __table_args__ = (Index("ix_police_vettings_current", "volunteer_id", "outcome", "outcome_on", "submitted_on",
                            "id"),
                      Index("ix_police_vettings_expires_on", "expires_on", "volunteer_id"),
                      Index("ix_police_vettings_outcome", "outcome", "volunteer_id"),
                      Index("ix_police_vettings_level", "level", "volunteer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # indexed first in ix_*_current
    level: Mapped[NppvLevel] = mapped_column(enum_column(NppvLevel, "nppv_level", 20))
    force_reference: Mapped[str] = mapped_column(String(40))
    submitted_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[NppvOutcome | None] = mapped_column(enum_column(NppvOutcome, "nppv_outcome", 10))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    granted_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer = relationship("User", foreign_keys=[volunteer_id], lazy="raise")
    changes: Mapped[list["NppvChange"]] = relationship(
        back_populates="vetting", cascade="all, delete-orphan", order_by="NppvChange.id", lazy="selectin")

    @property
    def next_outcomes(self) -> set[NppvOutcome]:
        """What may be recorded next: a result while waiting, a withdrawal once granted, nothing after that."""
        if self.outcome is None:
            return {NppvOutcome.GRANTED, NppvOutcome.REFUSED}
        return {NppvOutcome.WITHDRAWN} if self.outcome == NppvOutcome.GRANTED else set()

    def facts(self) -> rules.NppvFacts:
        """This application as plain values for the rules."""
        return nppv_facts(self, tuple(c.reported_on for c in self.changes if c.reviewed_on is None))


class NppvChange(db.Model):
    """A change of circumstances the holder reported (aftercare): the clearance goes back to the force for review.

    Only the kind is kept, as a code, never what happened.
    """

    __tablename__ = "police_vetting_changes"
    # The work list's changes not yet reviewed.
    __table_args__ = (Index("ix_police_vetting_changes_reviewed_on", "reviewed_on", "police_vetting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    police_vetting_id: Mapped[int] = mapped_column(ForeignKey("police_vettings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, "nppv_change_kind", 20))
    reported_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    review_outcome: Mapped[ReviewOutcome | None] = mapped_column(enum_column(ReviewOutcome, "nppv_review_outcome", 10))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vetting: Mapped[PoliceVetting] = relationship(back_populates="changes")


class SentReminder(db.Model):
    """A reminder e-mailed for one record at one lead time: the unique key makes reminders send once."""

    __tablename__ = "vetting_reminders"
    __table_args__ = (UniqueConstraint("kind", "record_id", "due_on", "lead_days", name="uq_vetting_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, "vetting_reminder_kind", 20))
    record_id: Mapped[int] = mapped_column(Integer)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    lead_days: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SelfDeclaration(db.Model):
    """A volunteer's confidential self-declaration of criminal records, made at the vetting stage.

    Worded to the DBS filtering rules (protected cautions and convictions need not be declared). Only
    vetting staff for the person see it; the details are purged with the disclosure notes.
    """

    __tablename__ = "self_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    made_on: Mapped[date] = mapped_column(Date)
    has_something: Mapped[bool] = mapped_column(Boolean)
    details: Mapped[str | None] = mapped_column(Text)
    details_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkListEntry(db.Model):
    """One volunteer's work lists on the day vetting_list_state names: bit n of `lists` set for the n-th list of
    rules_summaries.category_labels(policy). Kept by app/vetting/services_lists.py, never written elsewhere."""

    __tablename__ = "vetting_list_entries"

    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lists: Mapped[int] = mapped_column(Integer, default=0)


class WorkListState(db.Model):
    """The one row (id 1) saying which day and policy vetting_list_entries hold the lists for (none: not yet)."""

    __tablename__ = "vetting_list_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    on_day: Mapped[date | None] = mapped_column(Date)
    policy_key: Mapped[str | None] = mapped_column(String(64))
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- records as the rules' facts
# One mapping each, from a model object or a row of the same column names (bulk reads build facts from rows,
# without making model objects: app/readiness/queries.py).


def dbs_facts(check, decisions: tuple, status_checks: tuple) -> rules.DbsFacts:
    """A DBS check (object or row) as plain values, with its decisions' and status checks' facts."""
    return rules.DbsFacts(
        id=check.id or 0, level=check.level, workforce=check.workforce, requested_on=check.requested_on,
        submitted_on=check.submitted_on, issued_on=check.issued_on, outcome=check.outcome,
        subscribed_on=check.subscribed_on, consent_on=check.consent_on, original_seen_on=check.original_seen_on,
        join_route=check.join_route, renews_on=check.renews_on, consent_withdrawn_on=check.consent_withdrawn_on,
        decisions=decisions, status_checks=status_checks)


def decision_facts(decision, confirmed: bool) -> rules.DecisionFacts:
    """A risk-assessed decision (object or row) as plain values."""
    return rules.DecisionFacts(decision.decision, decision.decided_on, decision.created_at,
                               tuple(decision.conditions or ()), decision.needs_confirmation, confirmed,
                               decision.decided_by_id)


def status_check_facts(status_check) -> rules.StatusCheckFacts:
    return rules.StatusCheckFacts(status_check.checked_on, status_check.outcome, status_check.created_at)


def nppv_facts(record, open_changes: tuple) -> rules.NppvFacts:
    """A police vetting application (object or row) as plain values, with its unreviewed changes' dates."""
    return rules.NppvFacts(id=record.id or 0, level=record.level, submitted_on=record.submitted_on,
                           outcome=record.outcome, granted_on=record.granted_on, expires_on=record.expires_on,
                           outcome_on=record.outcome_on, open_changes=open_changes)
