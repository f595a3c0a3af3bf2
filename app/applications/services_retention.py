"""Retention for applications: the free-text notes of decided applications are deleted after the policy's
period (they can carry disclosure or lived-experience detail), each purge audited. Run by `flask vetting purge`."""
from datetime import date, time, timedelta

from sqlalchemy import select, update

from app import audit
from app.applications.models import Application, ApplicationNote
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
