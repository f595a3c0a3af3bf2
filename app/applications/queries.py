"""Reads for the coordinators: the queue (filters, counts per status, one page, in a fixed number of
queries) and an application's history (who did what, when, and why, read from the audit log)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.applications.models import Application, ApplicationNote, application_areas
from app.applications.rules import OPEN, Status, policy
from app.audit import AuditEvent
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db
from app.pagination import query_id
from app.timefmt import london_to_utc


@dataclass
class QueueFilter:
    status: str = ""          # "" open ones, "all", or a status value
    area: str = ""            # "" all areas, "mine", or an area id
    submitted_from: date | None = None
    submitted_to: date | None = None
    waiting: int | None = None
    scope: list[int] | None = None   # the areas the member of staff covers (None: a manager, every area)
    staff_id: int | None = None      # never their own application


def _area_condition(area: str, my_area_ids: list[int], by_status: bool = False):
    """The applications in the areas. by_status: the caller reads few statuses, so the database should start
    from the status index and test each application's areas ("id + 0" keeps SQLite from starting instead at
    every application in the areas, most of them long decided)."""
    if area == "mine":
        ids = my_area_ids or [-1]
    elif query_id(area) is not None:
        ids = [query_id(area)]
    else:
        return None
    return (Application.id + 0 if by_status else Application.id).in_(select(application_areas.c.application_id).where(application_areas.c.area_id.in_(ids)))


def _conditions(f: QueueFilter, my_area_ids: list[int], now: datetime, by_status: bool = False) -> list:
    # Only sent applications: a draft withdrawn before sending was never the coordinators' business.
    conditions = [Application.status != Status.DRAFT, Application.submitted_at.is_not(None)]
    if f.scope is not None:  # need to know: only applications in the areas the coordinator covers
        conditions.append(_area_condition("mine", f.scope, by_status))
    if f.staff_id is not None:
        conditions.append(Application.user_id != f.staff_id)
    area = _area_condition(f.area, my_area_ids, by_status)
    if area is not None:
        conditions.append(area)
    if f.submitted_from:
        conditions.append(Application.submitted_at >= london_to_utc(f.submitted_from, time()))
    if f.submitted_to:
        conditions.append(Application.submitted_at < london_to_utc(f.submitted_to + timedelta(days=1), time()))
    if f.waiting is not None:
        conditions.append(Application.submitted_at <= now - timedelta(days=f.waiting))
    return conditions


def statuses_shown(f: QueueFilter) -> list[Status]:
    """The statuses the status filter lets through: the open ones, every sent one ("all"), or the one chosen."""
    if f.status == "":
        return list(OPEN)
    if f.status == "all":
        return [s for s in Status if s != Status.DRAFT]
    return [Status(f.status)]


def queue_query(f: QueueFilter, my_area_ids: list[int], now: datetime | None = None):
    """Applications matching the filter, longest waiting first, with their areas loaded in one go."""
    conditions = _conditions(f, my_area_ids, now or utcnow(), by_status=True)  # the page walks the queue index
    if f.status == "":
        conditions.append(Application.status.in_(OPEN))
    elif f.status != "all":
        conditions.append(Application.status == Status(f.status))
    return (select(Application).where(*conditions).options(selectinload(Application.areas))
            .order_by(Application.submitted_at, Application.id))


def status_counts(f: QueueFilter, my_area_ids: list[int], now: datetime | None = None) -> dict[Status, int]:
    """How many applications are at each status, under every filter but the status one (one query)."""
    rows = (select(Application.status, func.count()).where(*_conditions(f, my_area_ids, now or utcnow()))
            .group_by(Application.status))
    found = dict(db.session.execute(rows).all())
    return {s: found.get(s, 0) for s in Status if s != Status.DRAFT}


def shown_total(f: QueueFilter, counts: dict[Status, int]) -> int:
    """How many applications the queue lists, from the counts per status: the page needs no COUNT of its own."""
    return sum(counts.get(s, 0) for s in statuses_shown(f))


def open_count(f: QueueFilter, my_area_ids: list[int], now: datetime | None = None) -> int:
    """How many applications under the filter are waiting for a decision (one query, open statuses only, so
    the decided ones, most of the table, are never read)."""
    return db.session.scalar(select(func.count()).select_from(Application).where(
        *_conditions(f, my_area_ids, now or utcnow(), by_status=True), Application.status.in_(OPEN)))


def area_choices(areas: list[Area], has_own: bool, sees_all: bool = True) -> list[tuple[str, str]]:
    """The area filter: "Your areas", then "All areas" for managers, then each area the person may see."""
    mine = [("mine", "Your areas")] if has_own else []
    everything = [("", "All areas")] if sees_all else []
    return mine + everything + [(str(a.id), a.name) for a in areas]


# ---------------------------------------------------------------- history

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


def describe(action: str, details: dict, note: str | None = None, application: Application | None = None
             ) -> tuple[str, str]:
    """The words for one audit event: what happened, and the reason or note given (if any).

    The audit details carry codes only; the note comes from its ApplicationNote, and what could tell of a
    disclosure (a decline's reason, a reference's outcome) from the application's own rows.
    """
    what = WHAT.get(action, action.removeprefix("application.").replace("_", " ").capitalize())
    what = what.replace("{n}", str(details.get("referee", "")))
    if action == "application.reference_assessed":
        referee = next((r for r in (application.referees if application else ()) if r.position == details.get("referee")),
                       None)
        satisfactory = details.get("satisfactory", referee.satisfactory if referee else None)
        what += " as satisfactory" if satisfactory else " as not satisfactory"
    reasons = []
    if action == "application.decline" and application is not None and application.decline_reason:
        reasons.append(policy().label("decline_reason", application.decline_reason))
        note = note or application.decline_note
    if details.get("outcome"):  # what the chat found is part of what happened, not a reason for it
        outcome = policy().label("chat_outcome", details["outcome"])
        what += ": " + outcome[:1].lower() + outcome[1:]
    if note:
        reasons.append(note)
    return what, " ".join(_sentence(r) for r in reasons)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def application_history(application: Application) -> list[Entry]:
    """Every audited step on the application, oldest first, with its notes (two queries)."""
    events = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == "Application", AuditEvent.object_id == application.id,
               AuditEvent.action != "application.viewed")  # views are in the audit log, not the history
        .order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    notes = dict(db.session.execute(select(ApplicationNote.audit_event_id, ApplicationNote.text)
                                    .where(ApplicationNote.application_id == application.id)).all())
    entries = []
    for event in events:
        what, why = describe(event.action, event.details or {}, notes.get(event.id), application)
        who = event.actor.display_name if event.actor else (
            "The referee" if event.action == "application.reference_received" else "The portal")
        entries.append(Entry(event.occurred_at, who, what, why))
    return entries
