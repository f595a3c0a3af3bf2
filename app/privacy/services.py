"""The retention schedule applied (`flask retention sweep`), and producing a person's data for staff.

Each sweep works in batches (no step loads every record), is audited once with its counts, and is safe to run
again: what it has done drops out of its own queries, so a second run finds nothing more.
"""
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app import audit
from app.applications.models import Application
from app.applications.services_retention import anonymise_applications, anonymise_unsuccessful
from app.auth.models import Role, User, UserRole
from app.certificates.models import Certificate, TranscriptShare
from app.db_types import utcnow
from app.email import MailStatus, OutboxMessage
from app.errors import DomainError
from app.expenses.models import (
    Batch,
    Claim,
    ClaimStatus,
    DriverYear,
    Line,
    Receipt,
    SavedJourney,
    line_passengers,
)
from app.extensions import db
from app.kept import note_people
from app.permissions import person_in_scope
from app.privacy import rules
from app.privacy.policy import RetentionPolicy
from app.readiness.models import (
    AgreementSignature,
    ClientAcquaintance,
    EmergencyContact,
    MentorStanding,
    Standing,
)
from app.timefmt import london_to_utc
from app.training.models import CalendarFeed
from app.vetting.models import DbsCheck, DbsDecision, PoliceVetting, SelfDeclaration

ANONYMISED_NAME = "Former volunteer"
# Staff accounts are not leavers' records: who decided what must stay attributable (DBS code of practice).
NOT_LEAVERS = (Role.TRAINER, Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
OPEN_CLAIMS = (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.QUERIED)  # never paid: not finance records


class RetentionError(DomainError):
    """A sweep step that must not run, with why."""


class NotYours(DomainError):
    """Staff asked for a person's data they may not produce."""


@dataclass
class SweepResult:
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def _start_of_day_after(day: date):
    return london_to_utc(day + timedelta(days=1), time())


def _bar(progress, label: str, total: int):
    """A progress callback for `total` items (progress: a factory taking (label, total), or None)."""
    return progress(label, total) if progress is not None and total else None


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


# ---------------------------------------------------------------- leavers


def leavers_query(today: date, years: int):
    """Ids of leavers due: volunteers and applicants (not staff) who left on the cutoff day or before."""
    before = _start_of_day_after(rules.leaver_cutoff(today, years))
    staff = select(UserRole.user_id).where(UserRole.role.in_(NOT_LEAVERS))
    stood_down = select(MentorStanding.volunteer_id).where(
        MentorStanding.status == Standing.STOOD_DOWN, MentorStanding.changed_at < before)
    return select(User.id).where(
        User.anonymised_at.is_(None), User.id.not_in(staff),
        or_(User.deactivated_at < before,
            and_(User.id.in_(stood_down), or_(User.last_login_at.is_(None), User.last_login_at < before))))


def anonymise_leavers(today: date, years: int, dry_run: bool = False, batch_size: int = 200, progress=None) -> int:
    due = leavers_query(today, years)
    total = _count(due)
    if dry_run or not total:
        return total
    bar, done = _bar(progress, "leavers", total), 0
    while ids := db.session.scalars(due.order_by(User.id).limit(batch_size)).all():
        anonymise_people(ids)
        done += len(ids)
        if bar:
            bar(len(ids))
    return done


def anonymise_people(ids: list[int]) -> None:
    """Remove these people's personal details; keep that they volunteered, when, and the codes and dates of
    their vetting decisions and training (what the scheme must be able to show). Audited per person."""
    now = utcnow()
    people = db.session.scalars(select(User).where(User.id.in_(ids))).all()
    emails = [person.email for person in people]
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_(emails),
                                                   OutboxMessage.status == MailStatus.SENT))
    for person in people:
        person.full_name = ANONYMISED_NAME
        person.email = f"anonymised-{person.id}@invalid"
        person.password_hash = "!"  # matches no password
        person.rotate_session_token()
        person.email_verified_at = None
        person.deactivated_at = person.deactivated_at or now
        person.anonymised_at = now
    db.session.flush()
    applications = db.session.scalars(select(Application.id).where(Application.user_id.in_(ids))).all()
    if applications:
        anonymise_applications(applications, audited=False)
    quiet = {"synchronize_session": False}
    note_people(db.session, ids)  # the bulk writes below change their readiness records: kept tables follow
    for table in (EmergencyContact, SelfDeclaration, CalendarFeed, TranscriptShare, SavedJourney):
        owner = table.volunteer_id if hasattr(table, "volunteer_id") else table.user_id
        db.session.execute(delete(table).where(owner.in_(ids)).execution_options(**quiet))
    db.session.execute(delete(ClientAcquaintance).where(ClientAcquaintance.volunteer_id.in_(ids)).execution_options(**quiet))
    db.session.execute(update(AgreementSignature).where(AgreementSignature.volunteer_id.in_(ids))
                       .values(typed_name="").execution_options(**quiet))
    db.session.execute(update(DbsCheck).where(DbsCheck.volunteer_id.in_(ids))
                       .values(certificate_number=None, version=DbsCheck.version + 1).execution_options(**quiet))
    db.session.execute(update(DbsDecision).where(
        DbsDecision.dbs_check_id.in_(select(DbsCheck.id).where(DbsCheck.volunteer_id.in_(ids))),
        DbsDecision.rationale.is_not(None)).values(rationale=None, rationale_purged_at=now).execution_options(**quiet))
    db.session.execute(update(PoliceVetting).where(PoliceVetting.volunteer_id.in_(ids))
                       .values(force_reference="", version=PoliceVetting.version + 1).execution_options(**quiet))
    db.session.execute(update(Certificate).where(Certificate.user_id.in_(ids))
                       .values(holder_name=ANONYMISED_NAME, version=Certificate.version + 1).execution_options(**quiet))
    open_claims = db.session.scalars(select(Claim.id).where(Claim.claimant_id.in_(ids), Claim.status.in_(OPEN_CLAIMS))).all()
    if open_claims:
        delete_claims(open_claims)
    for person in people:
        audit.record(None, "retention.person_anonymised", person, obj=person)
    db.session.flush()


# ---------------------------------------------------------------- finance


def finance_claims_query(today: date, years: int):
    before = rules.finance_before(today, years)
    return (select(Claim.id).outerjoin(Batch, Claim.batch_id == Batch.id).where(or_(
        and_(Claim.status == ClaimStatus.PAID, Batch.paid_on < before),
        and_(Claim.status == ClaimStatus.REJECTED, Claim.decided_at < london_to_utc(before, time())))))


def loose_receipts_query(today: date, years: int):
    """Receipts uploaded before the finance cutoff that no line uses (a draft's line removed, say)."""
    before = london_to_utc(rules.finance_before(today, years), time())
    used = select(Line.receipt_id).where(Line.receipt_id.is_not(None))
    return select(Receipt.id).where(Receipt.uploaded_at < before, Receipt.id.not_in(used))


def driver_years_query(today: date, years: int):
    from app.expenses.rules import tax_year_of

    return select(DriverYear.id).where(DriverYear.tax_year < tax_year_of(today) - years)


def delete_finance(today: date, years: int, dry_run: bool = False, batch_size: int = 200,
                   progress=None) -> tuple[int, int, int]:
    """Delete expense claims (with their lines and receipts), loose receipts and drivers' yearly confirmations
    past the finance period: (claims, receipts, driver years)."""
    claims_due, loose_due, drivers_due = (finance_claims_query(today, years), loose_receipts_query(today, years),
                                          driver_years_query(today, years))
    claims_total, drivers_total = _count(claims_due), _count(drivers_due)
    if dry_run:
        receipts = _count(loose_due) + _count(select(Line.receipt_id).distinct().where(
            Line.claim_id.in_(claims_due), Line.receipt_id.is_not(None)))
        return claims_total, receipts, drivers_total
    claims = receipts = 0
    bar = _bar(progress, "expense claims", claims_total)
    while ids := db.session.scalars(claims_due.order_by(Claim.id).limit(batch_size)).all():
        receipts += delete_claims(ids)
        claims += len(ids)
        if bar:
            bar(len(ids))
    while ids := db.session.scalars(loose_due.order_by(Receipt.id).limit(batch_size)).all():
        receipts += _delete_receipts(ids)
    drivers = db.session.execute(delete(DriverYear).where(DriverYear.id.in_(drivers_due))
                                 .execution_options(synchronize_session=False)).rowcount if drivers_total else 0
    return claims, receipts, drivers


def delete_claims(ids: list[int]) -> int:
    """Delete these claims with their lines and the receipts only they used (files go after the commit)."""
    quiet = {"synchronize_session": False}
    lines = select(Line.id).where(Line.claim_id.in_(ids))
    receipt_ids = set(db.session.scalars(select(Line.receipt_id).where(Line.claim_id.in_(ids),
                                                                       Line.receipt_id.is_not(None))).all())
    db.session.execute(line_passengers.delete().where(line_passengers.c.line_id.in_(lines)))
    db.session.execute(update(Line).where(Line.reverses_line_id.in_(lines), Line.claim_id.not_in(ids))
                       .values(reverses_line_id=None).execution_options(**quiet))
    db.session.execute(update(Line).where(Line.claim_id.in_(ids)).values(reverses_line_id=None, receipt_id=None)
                       .execution_options(**quiet))
    db.session.execute(delete(Line).where(Line.claim_id.in_(ids)).execution_options(**quiet))
    db.session.execute(delete(Claim).where(Claim.id.in_(ids)).execution_options(**quiet))
    still_used = set(db.session.scalars(select(Line.receipt_id).where(Line.receipt_id.in_(receipt_ids))).all())
    return _delete_receipts(sorted(receipt_ids - still_used))


def _delete_receipts(ids: list[int]) -> int:
    if not ids:
        return 0
    from app.expenses.services_receipts import receipts_dir

    folder = receipts_dir()
    names = db.session.scalars(select(Receipt.stored_name).where(Receipt.id.in_(ids))).all()
    db.session.info.setdefault("receipt_files_gone", []).extend(folder / Path(name).name for name in names)
    return db.session.execute(delete(Receipt).where(Receipt.id.in_(ids))
                              .execution_options(synchronize_session=False)).rowcount


@sa_event.listens_for(Session, "after_commit")
def _remove_deleted_receipt_files(session):
    """A receipt's file goes once its row's deletion is committed (never when the sweep rolls back)."""
    for path in session.info.pop("receipt_files_gone", []):
        path.unlink(missing_ok=True)


@sa_event.listens_for(Session, "after_rollback")
def _keep_receipt_files(session):
    session.info.pop("receipt_files_gone", None)


# ---------------------------------------------------------------- the audit log


def prune_audit(today: date, years: int, dry_run: bool = False, batch_size: int = 1000, progress=None) -> int:
    """Prune the start of the audit log up to its newest row past the horizon (never the newest row of all),
    leaving an anchor (app/audit.py).
    Refuses (nothing pruned) if the chain does not verify: a broken chain is evidence, not clutter."""
    horizon = _start_of_day_after(rules.audit_cutoff(today, years))
    table = audit.AuditEvent.__table__
    anchor = audit.latest_pruning()
    after = anchor.through_id if anchor else 0
    # The newest row always stays: SQLite gives a new row the largest id there + 1, so ids would start again.
    newest = db.session.scalar(select(func.max(table.c.id)))
    through = db.session.scalar(select(func.max(table.c.id)).where(
        table.c.occurred_at < horizon, table.c.id > after, table.c.id < (newest or 0)))
    if through is None:
        return 0
    total = db.session.scalar(select(func.count()).select_from(table).where(table.c.id > after, table.c.id <= through))
    if dry_run:
        return total
    check = audit.verify_chain()
    if not check.ok:
        raise RetentionError(f"The audit log does not verify ({check.problem}), so none of it was pruned. "
                             "Run `flask audit verify`.")
    return audit.prune_through(through, horizon, batch_size, _bar(progress, "audit events", total))


# ---------------------------------------------------------------- the whole sweep


def run_sweep(today: date, policy: RetentionPolicy, dry_run: bool = False, batch_size: int = 200,
              progress=None) -> SweepResult:
    """Every step of the schedule, in order; one audit event with the counts (not for a dry run)."""
    months = policy.unsuccessful_months
    bar = None if dry_run else _bar(progress, "applications", anonymise_unsuccessful(today, months, dry_run=True))
    counts = {"applications_anonymised": anonymise_unsuccessful(today, months, dry_run, batch_size, bar)}
    counts["leavers_anonymised"] = anonymise_leavers(today, policy.leaver_years, dry_run, batch_size, progress)
    claims, receipts, drivers = delete_finance(today, policy.finance_years, dry_run, batch_size, progress)
    counts.update(claims_deleted=claims, receipts_deleted=receipts, driver_years_deleted=drivers)
    counts["audit_events_pruned"] = prune_audit(today, policy.audit_years, dry_run, batch_size * 5, progress)
    if not dry_run:
        audit.record(None, "retention.sweep", None, today=today, **counts)
        db.session.flush()
    return SweepResult(counts, dry_run)


# ---------------------------------------------------------------- a person's data, produced by staff


def may_produce(staff, person) -> bool:
    """Managers for anyone, coordinators for the people in their areas; never about themself (their own page
    is theirs), never admins or trainers (the data holds vetting and lived experience)."""
    return (staff.id != person.id and staff.has_role(Role.COORDINATOR, Role.MANAGER)
            and person_in_scope(staff, person))


def record_data_produced(staff, person, form: str) -> None:
    """Staff produced a person's data (a subject access request): audited, with the form (page or json)."""
    if not may_produce(staff, person):
        raise NotYours("You cannot produce this person's data.")
    audit.record(staff, "privacy.data_produced", person, obj=person, form=form)
