"""Retention for applications: the free-text notes of decided applications are deleted after the vetting
policy's period (they can carry disclosure or lived-experience detail; `flask vetting purge`), and declined
and withdrawn applications are anonymised after policy/retention.toml's period (`flask retention sweep`)."""
from datetime import date, time, timedelta
from types import SimpleNamespace

from sqlalchemy import delete, func, select, update

from app import audit
from app.applications.models import Application, ApplicationNote, Referee
from app.applications.rules import Status
from app.dates import add_months
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import london_to_utc

NOTE_FIELDS = ("chat_booking_note", "chat_notes", "decline_note")


def purge_application_notes(today: date, months: int) -> int:
    """Delete the free-text notes of applications decided `months` ago or more (each purge audited)."""
    before = london_to_utc(add_months(today, -months) + timedelta(days=1), time())  # decided on the cutoff day or earlier
    due = db.session.scalars(select(Application).where(
        Application.decided_at.is_not(None), Application.notes_purged_at.is_(None),
        Application.decided_at < before)).all()
    for application in due:
        for name in NOTE_FIELDS:
            setattr(application, name, None)
        db.session.execute(update(ApplicationNote).where(ApplicationNote.application_id == application.id)
                           .values(text=None))
        application.notes_purged_at = utcnow()
        audit.record(None, "application.notes_purged", application.user, obj=application)
    db.session.flush()
    return len(due)


PERSONAL = ("full_name", "preferred_name", "date_of_birth", "phone", "email", "address", "postcode",
            "availability_note", "motivation", "chat_booking_note", "chat_notes", "decline_note")


def unsuccessful_months() -> int:
    """policy/retention.toml: months after a decline or withdrawal before the application is anonymised."""
    from app.privacy.policy import current_policy as retention_policy

    return retention_policy().unsuccessful_months


def anonymise_unsuccessful(today: date, months: int, dry_run: bool = False, batch_size: int = 200,
                           progress=None) -> int:
    """Anonymise declined and withdrawn applications decided `months` ago or more; how many (would be) done.

    Kept: that there was an application, its status and dates, and its audit trail (codes only). Works in
    batches of `batch_size` (an anonymised application drops out of the query, so each batch is the next).
    """
    before = london_to_utc(add_months(today, -months) + timedelta(days=1), time())
    due = select(Application.id).where(
        Application.status.in_([Status.DECLINED, Status.WITHDRAWN]), Application.anonymised_at.is_(None),
        Application.decided_at.is_not(None), Application.decided_at < before)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(due.subquery())) or 0
    done = 0
    while ids := db.session.scalars(due.order_by(Application.id).limit(batch_size)).all():
        anonymise_applications(ids, audited=True)
        done += len(ids)
        if progress is not None:
            progress(len(ids))
    return done


def anonymise_applications(ids, audited: bool) -> None:
    """Remove the personal details of these applications (answers, contact details, notes, referees); keep
    that they were made, their status and dates; `audited`: one retention event for each."""
    now = utcnow()
    db.session.execute(update(Application).where(Application.id.in_(ids)).values(
        {**{name: None for name in PERSONAL}, "availability": [], "lived_experience": [],
         "anonymised_at": now, "notes_purged_at": func.coalesce(Application.notes_purged_at, now),
         "version": Application.version + 1})
        .execution_options(synchronize_session=False))
    db.session.execute(delete(Referee).where(Referee.application_id.in_(ids)).execution_options(synchronize_session=False))
    db.session.execute(update(ApplicationNote).where(ApplicationNote.application_id.in_(ids))
                       .values(text=None).execution_options(synchronize_session=False))
    if audited:
        for application in db.session.scalars(select(Application).where(Application.id.in_(ids))):
            audit.record(None, "retention.application_anonymised", SimpleNamespace(id=application.user_id),
                         obj=application)
    db.session.flush()

