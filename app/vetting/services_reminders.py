"""Scheduled vetting work (run from cron through `flask vetting ...`): reminders and retention."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from tqdm import tqdm

from app.auth.models import Role, User, UserRole
from app.core.services_locks import run_lock
from app.db_types import upsert, utcnow
from app.email import send_email
from app.extensions import db
from app.vetting import rules
from app.vetting.enums import NppvOutcome, ReminderKind
from app.vetting.models import DbsCheck, DbsDecision, SelfDeclaration, SentReminder
from app.vetting.policy import VettingPolicy
from app.vetting.services import facts_for, load_records, purge_declaration, purge_note


def active_volunteers_query():
    """Everyone holding the volunteer role whose account is active, by name."""
    return (select(User).where(User.role_grants.any(UserRole.role == Role.VOLUNTEER), User.deactivated_at.is_(None))
            .options(selectinload(User.areas)).order_by(User.full_name, User.id))


def due_items(checks, police, policy: VettingPolicy, on: date | None = None) -> list[tuple[ReminderKind, int, date]]:
    """What a volunteer has coming up: (kind, record id, due date). A renewal already under way needs no reminder."""
    items = []
    current = rules.current_dbs(checks)
    renewing = current is not None and any(not c.has_result and c.requested_on >= current.issued_on for c in checks)
    if current is not None and not renewing:
        status_due = rules.next_status_check(current, policy, on)
        if status_due is not None:
            items.append((ReminderKind.STATUS_CHECK, current.id, status_due))
        else:
            items.append((ReminderKind.DBS_RECHECK, current.id, rules.recheck_due(current.issued_on, policy)))
    nppv = rules.current_nppv(police)
    if nppv is not None and nppv.outcome == NppvOutcome.GRANTED and not any(r.outcome is None for r in police):
        items.append((ReminderKind.NPPV_EXPIRY, nppv.id, nppv.expires_on))
        review = rules.next_nppv_review(nppv.granted_on, nppv.expires_on, policy, on) if on else None
        if review is not None:
            items.append((ReminderKind.NPPV_REVIEW, nppv.id, review))
    return items


CLAIM_CHUNK = 500  # reminders noted per INSERT (six parameters each: well inside SQLite's limit)


def _claim(wanted: list[tuple[ReminderKind, int, date, int, int]]) -> set[tuple[ReminderKind, int, date, int]]:
    """Note these reminders (kind, record id, due date, lead days, volunteer id) as sent, a few hundred per INSERT,
    and return the keys this run noted: one another run noted first is left out (the unique key settles two runs
    at once, as each row's own savepoint did, without a round trip per reminder)."""
    table = SentReminder.__table__
    now, claimed = utcnow(), set()
    for start in range(0, len(wanted), CLAIM_CHUNK):
        rows = [dict(kind=kind, record_id=record_id, due_on=due_on, lead_days=lead, volunteer_id=volunteer_id,
                     sent_at=now) for kind, record_id, due_on, lead, volunteer_id in wanted[start:start + CLAIM_CHUNK]]
        statement = (upsert(table).values(rows)
                     .on_conflict_do_nothing(index_elements=["kind", "record_id", "due_on", "lead_days"])
                     .returning(table.c.kind, table.c.record_id, table.c.due_on, table.c.lead_days))
        claimed.update(tuple(row) for row in db.session.execute(statement))
    return claimed


def coordinators_by_area() -> tuple[dict[int, list[User]], list[User]]:
    """Active coordinators keyed by the areas they cover, and active managers (for volunteers no one covers)."""
    staff = db.session.scalars(select(User).where(
        User.role_grants.any(UserRole.role.in_([Role.COORDINATOR, Role.MANAGER])), User.deactivated_at.is_(None))
        .options(selectinload(User.areas), selectinload(User.role_grants))).all()
    by_area: dict[int, list[User]] = {}
    for person in staff:
        if person.has_role(Role.COORDINATOR):
            for area in person.areas:
                by_area.setdefault(area.id, []).append(person)
    return by_area, [p for p in staff if p.has_role(Role.MANAGER)]


def staff_for(volunteer: User, by_area, managers) -> list[User]:
    """The coordinators covering any of the volunteer's areas; managers when none do."""
    found = {p.id: p for area in volunteer.areas for p in by_area.get(area.id, [])}
    return list(found.values()) or managers


@dataclass(frozen=True)
class _Staff:
    id: int


BATCH = 1000  # volunteers read per step: memory stays flat however many there are


def send_reminders(today: date, policy: VettingPolicy, progress: bool = False) -> int:
    """E-mail volunteers at each lead time before a recheck, status check or expiry, once each; then send each
    covering coordinator (or manager) ONE digest of this run's reminders for their volunteers.

    Volunteers and their records are read BATCH at a time, so memory follows the reminders due, not the
    volunteers. The run is one transaction (the e-mails go when the command commits). Two runs at once: on PostgreSQL the second finds the run
    lock taken and sends nothing; on any database each reminder is claimed by a unique key before it is sent,
    so a reminder goes once whichever run claims it, and each run's digest lists only what it sent."""
    with run_lock("vetting.remind") as mine:
        if not mine:
            return 0
        ids = list(db.session.scalars(active_volunteers_query().with_only_columns(User.id)))
        staff_by_area, staff_managers = coordinators_by_area()
        staff_emails = {p.id: (p.email, p.full_name) for people in [*staff_by_area.values(), staff_managers]
                        for p in people}
        # Plain ids from here: each batch's commit expires what was read before it.
        by_area = {area: [_Staff(p.id) for p in people] for area, people in staff_by_area.items()}
        managers = [_Staff(p.id) for p in staff_managers]
        digest: dict[int, list[tuple[str, str, date]]] = {}
        sent = 0
        for start in tqdm(range(0, len(ids), BATCH), desc="vetting reminders", disable=not progress):
            chunk = ids[start:start + BATCH]
            volunteers = db.session.scalars(select(User).where(User.id.in_(chunk)).options(selectinload(User.areas))
                                            .order_by(User.full_name, User.id)).all()
            records = load_records(chunk)
            sent_before = {(r.kind, r.record_id, r.due_on, r.lead_days) for r in db.session.scalars(
                select(SentReminder).where(SentReminder.volunteer_id.in_(chunk)))}
            wanted = []
            for volunteer in volunteers:
                checks, police = facts_for(records.get(volunteer.id, ([], [])))
                for kind, record_id, due_on in due_items(checks, police, policy, today):
                    lead = rules.reminder_lead(due_on, today, policy.reminder_days)
                    if lead is not None and (kind, record_id, due_on, lead) not in sent_before:
                        wanted.append((volunteer, kind, record_id, due_on, lead))
            claimed = _claim([(kind, record_id, due_on, lead, volunteer.id)
                              for volunteer, kind, record_id, due_on, lead in wanted])
            for volunteer, kind, record_id, due_on, lead in wanted:
                if (kind, record_id, due_on, lead) not in claimed:
                    continue  # another run at the same moment noted it first, and sends it
                _send_reminder(volunteer, kind, due_on)
                for person in staff_for(volunteer, by_area, managers):
                    digest.setdefault(person.id, []).append((volunteer.display_name, kind.label, due_on))
                sent += 1
            db.session.flush()
        for person_id, items in digest.items():
            email, name = staff_emails[person_id]
            count = len({who for who, _, _ in items})
            send_email(email, f"Vetting due: {count} {'volunteer' if count == 1 else 'volunteers'} in your areas",
                       "vetting/reminder_digest", name=name, items=sorted(items, key=lambda i: (i[2], i[0])))
        db.session.flush()
        return sent


def _send_reminder(volunteer: User, kind: ReminderKind, due_on: date) -> None:
    subjects = {ReminderKind.DBS_RECHECK: "Your DBS check is due for renewal",
                ReminderKind.STATUS_CHECK: "Your DBS Update Service check is coming up",
                ReminderKind.NPPV_EXPIRY: "Your police vetting is due for renewal",
                ReminderKind.NPPV_REVIEW: "Your police vetting review is coming up"}
    send_email(volunteer.email, subjects[kind], "vetting/reminder_volunteer", user=volunteer, kind=kind, due_on=due_on)


def purge_notes(today: date, policy: VettingPolicy, progress: bool = False) -> int:
    """Delete disclosure notes and self-declaration details past the retention period, auditing each."""
    return _purge_decision_notes(today, policy, progress) + _purge_declarations(today, policy, progress)


def _purge_declarations(today: date, policy: VettingPolicy, progress: bool) -> int:
    rows = db.session.scalars(select(SelfDeclaration).where(SelfDeclaration.details.is_not(None))).all()
    people = {r.volunteer_id for r in rows}
    checks = db.session.scalars(select(DbsCheck).where(DbsCheck.volunteer_id.in_(people))).all() if rows else []
    decided, issued = {}, {}
    for check in checks:
        decided.setdefault(check.volunteer_id, []).extend(d.decided_on for d in check.decisions)
        if check.issued_on:
            issued.setdefault(check.volunteer_id, []).append(check.issued_on)
    due = [r for r in rows if (day := rules.declaration_purge_due(
        r.made_on, decided.get(r.volunteer_id, []), issued.get(r.volunteer_id, []), policy)) and day <= today]
    volunteers = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({r.volunteer_id for r in due})))} if due else {}
    for row in tqdm(due, desc="self-declarations", disable=not progress):
        purge_declaration(row, volunteers[row.volunteer_id])
    db.session.flush()
    return len(due)


def _purge_decision_notes(today: date, policy: VettingPolicy, progress: bool) -> int:
    decisions = db.session.scalars(select(DbsDecision).where(DbsDecision.rationale.is_not(None))
                                   .options(joinedload(DbsDecision.check))).all()
    due = [d for d in decisions if rules.note_purge_due(d.decided_on, policy) <= today]
    volunteers = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({d.check.volunteer_id for d in due})))} if due else {}
    for decision in tqdm(due, desc="disclosure notes", disable=not progress):
        purge_note(decision, volunteers[decision.check.volunteer_id])
    db.session.flush()
    return len(due)
