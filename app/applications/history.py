"""An application's history for coordinators: who did what, when, and why, read from the audit log."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.applications.models import Application
from app.applications.rules import policy
from app.audit import AuditEvent
from app.extensions import db

WHAT = {
    "application.started": "Started the application",
    "application.submit": "Sent the application",
    "application.duplicate_flagged": "Flagged as a possible duplicate",
    "application.start_review": "Started the review",
    "application.request_references": "Requested references",
    "application.reference_chased": "Sent referee {n} a reminder",
    "application.reference_received": "Reference {n} arrived",
    "application.reference_assessed": "Recorded reference {n}",
    "application.book_chat": "Booked the informal chat",
    "application.record_chat": "Recorded the informal chat",
    "application.accept": "Accepted as a volunteer",
    "application.decline": "Declined",
    "application.withdraw": "Withdrew the application",
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    why: str


def describe(action: str, details: dict) -> tuple[str, str]:
    """The words for one audit event: what happened, and the reason or note given (if any)."""
    what = WHAT.get(action, action.removeprefix("application.").replace("_", " ").capitalize())
    what = what.replace("{n}", str(details.get("referee", "")))
    if action == "application.reference_assessed":
        what += " as satisfactory" if details.get("satisfactory") else " as not satisfactory"
    reasons = []
    if action == "application.decline" and details.get("reason"):
        reasons.append(policy().label("decline_reason", details["reason"]))
    elif details.get("reason"):
        reasons.append(details["reason"])
    if details.get("outcome"):
        reasons.append(policy().label("chat_outcome", details["outcome"]))
    if details.get("note"):
        reasons.append(details["note"])
    return what, ". ".join(reasons)


def application_history(application: Application) -> list[Entry]:
    """Every audited step on the application, oldest first (one query)."""
    events = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == "Application", AuditEvent.object_id == application.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id))
    entries = []
    for event in events:
        what, why = describe(event.action, event.details or {})
        who = event.actor.display_name if event.actor else (
            "The referee" if event.action == "application.reference_received" else "The portal")
        entries.append(Entry(event.occurred_at, who, what, why))
    return entries
