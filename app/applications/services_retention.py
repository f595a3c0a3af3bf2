"""Retention for applications: the free-text notes of decided applications are deleted after the vetting
policy's period (they can carry disclosure or lived-experience detail; `flask vetting purge`), and declined
and withdrawn applications are anonymised after policy/retention.toml's period (`flask retention sweep`)."""
from datetime import date, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload, lazyload

from app import audit
from app.applications.models import Application, ApplicationNote, Referee
from app.applications.rules import Status
from app.core.policy import PolicyFileError, current_policy
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


def _parse_retention(data: dict, path) -> int:
    months = data.get("applications", {}).get("unsuccessful_months")
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise PolicyFileError(f"{path}: [applications] unsuccessful_months must be a whole number of 1 or more")
    return months


def unsuccessful_months() -> int:
    """policy/retention.toml: months after a decline or withdrawal before the application is anonymised."""
    return current_policy("retention.toml", _parse_retention)


RETENTION_BATCH = 500


def anonymise_unsuccessful(today: date, months: int, dry_run: bool = False) -> int:
    """Anonymise declined and withdrawn applications decided `months` ago or more; how many (would be) done.

    Kept: that there was an application, its status and dates, and its audit trail (codes only).
    """
    before = london_to_utc(add_months(today, -months) + timedelta(days=1), time())
    due_ids = list(db.session.scalars(select(Application.id).where(
        Application.status.in_([Status.DECLINED, Status.WITHDRAWN]), Application.anonymised_at.is_(None),
        Application.decided_at.is_not(None), Application.decided_at < before).order_by(Application.id)))
    if dry_run:
        return len(due_ids)
    for start in range(0, len(due_ids), RETENTION_BATCH):  # a fixed number of statements per batch
        chunk = due_ids[start:start + RETENTION_BATCH]
        db.session.execute(delete(Referee).where(Referee.application_id.in_(chunk)))
        db.session.execute(update(ApplicationNote).where(ApplicationNote.application_id.in_(chunk)).values(text=None))
        for application in db.session.scalars(select(Application).where(Application.id.in_(chunk))
                                              .options(joinedload(Application.user), lazyload(Application.referees))):
            for name in PERSONAL:
                setattr(application, name, None)
            application.availability, application.lived_experience = [], []
            application.anonymised_at = application.notes_purged_at = utcnow()
            audit.record(None, "retention.application_anonymised", application.user, obj=application)
        db.session.flush()
    audit.record(None, "retention.sweep", None, applications_anonymised=len(due_ids), today=today)
    db.session.flush()
    return len(due_ids)
