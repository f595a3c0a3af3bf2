"""The audit log as a reader asks for it: filtered in SQL, a page at a time, or streamed as CSV in chunks."""
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import Select, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from app.admin import rules_audit as words
from app.audit import AuditEvent
from app.auth.models import Role, User
from app.csvout import csv_line, csv_text, safe_cell
from app.extensions import db
from app.timefmt import LONDON, format_datetime

MANAGER_ONLY_PREFIX = "vetting."
EXPORT_CHUNK = 1000  # rows read per query while the CSV streams: a fixed number of queries per thousand rows


def kinds_for(viewer) -> dict[str, str]:
    """The kinds of action this reader may filter by: vetting only for managers."""
    return {k: v for k, v in words.KINDS.items() if k != words.VETTING_KIND or viewer.has_role(Role.MANAGER)}


def filtered(form, viewer, valid: bool) -> Select:
    """The audit events this reader may see, newest first, narrowed by the form when it is valid, with who
    acted and who it was about.

    Sign-ins and sign-outs are left out unless asked for (the checkbox, or choosing that kind)."""
    return _narrowed(select(AuditEvent).options(joinedload(AuditEvent.actor), joinedload(AuditEvent.subject)),
                     form, viewer, valid)


EXPORTED = (AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_id, AuditEvent.subject_id,
            AuditEvent.details)


def export_query(form, viewer, valid: bool) -> Select:
    """The same entries as filtered(), as plain rows of EXPORTED for the CSV: at 50,000 people building each
    entry and its two people as objects took most of a 200,000-line export's time."""
    return _narrowed(select(*EXPORTED), form, viewer, valid)


def _narrowed(query: Select, form, viewer, valid: bool) -> Select:
    """filtered()'s conditions and order, on a select of audit events or of their columns."""
    query = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if not viewer.has_role(Role.MANAGER):
        # Vetting events can reveal that a disclosure was made: only managers (and coordinators, on the
        # vetting pages themselves) may know that. Admins see every other event.
        query = query.where(~AuditEvent.action.like(f"{MANAGER_ONLY_PREFIX}%"))
    kind = form.action.data if valid else None
    show_sessions = valid and (form.sessions.data or kind == words.SESSION_KIND)
    if not show_sessions:
        query = query.where(AuditEvent.action.not_in(words.codes_of_kind(words.SESSION_KIND)))
    if not valid:
        return query
    if kind:
        query = query.where(AuditEvent.action.in_(words.codes_of_kind(kind)))
    if form.person.data:
        # Joined only to match a name: without them the page's COUNT reads the action index alone.
        actor, subject = aliased(User), aliased(User)
        query = (query.outerjoin(actor, AuditEvent.actor_id == actor.id)
                 .outerjoin(subject, AuditEvent.subject_id == subject.id))
        term = form.person.data.lower()
        query = query.where(or_(*(func.lower(column).contains(term, autoescape=True) for column in
                                  (actor.full_name, actor.email, subject.full_name, subject.email))))
    if form.date_from.data:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(form.date_from.data, time(), LONDON))
    if form.date_to.data:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time(), LONDON)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def count_shown(form, viewer, valid: bool, query: Select) -> int:
    """How many entries `query` (filtered() for the same form) lists: one query.

    Unfiltered by kind, person or dates, the log is every entry less the ones left out (sign-ins, and vetting
    for admins): COUNT(*) of the whole table and two ranges of the action index, instead of a scan of every
    entry testing NOT IN. Otherwise the filtered query is counted (a kind is a range of the action index)."""
    if valid and (form.action.data or form.person.data or form.date_from.data or form.date_to.data):
        return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    counts = [select(func.count()).select_from(AuditEvent).scalar_subquery()]
    if not (valid and form.sessions.data):
        counts.append(-select(func.count()).where(AuditEvent.action.in_(words.codes_of_kind(words.SESSION_KIND)))
                      .scalar_subquery())
    if not viewer.has_role(Role.MANAGER):
        counts.append(-select(func.count()).where(_manager_only()).scalar_subquery())
    return db.session.scalar(select(sum(counts[1:], counts[0])))


def _manager_only():
    """AuditEvent.action LIKE 'vetting.%'. SQLite compares text byte by byte, so there it is a range of the action
    index; PostgreSQL's ordering follows the database's locale (which may ignore punctuation), so there it is the
    LIKE itself."""
    prefix = MANAGER_ONLY_PREFIX
    if db.session.get_bind().dialect.name == "sqlite":
        return (AuditEvent.action >= prefix) & (AuditEvent.action < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return AuditEvent.action.like(prefix + "%")


def describe(event: AuditEvent) -> str:
    """The entry as a sentence: "Sam Coordinator accepted Val Volunteer's application"."""
    actor = event.actor.display_name if event.actor else None
    subject = event.subject.display_name if event.subject else None
    return _sentence(event.action, event.actor_id, actor, event.subject_id, subject)


def _sentence(action: str, actor_id: int | None, actor: str | None, subject_id: int | None,
              subject: str | None) -> str:
    return words.sentence(action, actor, subject, same_person=actor_id is not None and actor_id == subject_id)


CSV_HEADER = ["When (UK time)", "What happened", "Kind", "Who", "Who e-mail", "About", "About e-mail", "Details",
              "Code"]


def csv_row(row, people: dict[int, tuple[str, str]]) -> list[str]:
    """One exported entry (a row of EXPORTED) as CSV cells; people: id -> (name shown, e-mail)."""
    _id, occurred_at, action, actor_id, subject_id, details = row
    actor, subject = people.get(actor_id), people.get(subject_id)
    return [safe_cell(value) for value in (
        format_datetime(occurred_at),
        _sentence(action, actor_id, actor and actor[0], subject_id, subject and subject[0]),
        words.KINDS.get(words.kind_of(action) or "", ""),
        actor[0] if actor else words.SYSTEM, actor[1] if actor else "",
        subject[0] if subject else "", subject[1] if subject else "",
        words.details_text(details), action)]


def _people(ids: set) -> dict[int, tuple[str, str]]:
    """The name shown and e-mail of these people (one query)."""
    ids.discard(None)
    if not ids:
        return {}
    found = db.session.execute(select(User.id, User.full_name, User.email).where(User.id.in_(sorted(ids))))
    return {i: (User.name_of(full_name, email), email) for i, full_name, email in found}


def _older_than(occurred_at: datetime, entry_id: int):
    """SQL: entries after this one in the log's order (newest first): the next chunk starts where the last
    ended, read from the (occurred_at, id) index, where an OFFSET would walk past every entry already written.
    Compared as one row value, so the index is entered at the very entry: with `occurred_at <= t AND (occurred_at
    < t OR id < n)`, PostgreSQL read every entry sharing the time t again for each chunk (entries written in
    bulk share one; a 158,000-entry export took 14 ms a chunk, not 1)."""
    return tuple_(AuditEvent.occurred_at, AuditEvent.id) < tuple_(literal(occurred_at, AuditEvent.occurred_at.type),
                                                                 literal(entry_id, AuditEvent.id.type))


def export_lines(query: Select) -> Iterator[str]:
    """The CSV of export_query(): a header, then the entries EXPORT_CHUNK at a time (each chunk after the last
    one written, not at an OFFSET, and its people in one more query), each chunk's lines as one piece, read
    while streaming (in an application context of their own: the request's has ended by then)."""
    app = current_app._get_current_object()

    def generate() -> Iterator[str]:
        yield csv_line(CSV_HEADER)
        with app.app_context():
            page = query
            while True:
                chunk = db.session.execute(page.limit(EXPORT_CHUNK)).all()
                if chunk:
                    people = _people({r.actor_id for r in chunk} | {r.subject_id for r in chunk})
                    yield csv_text([csv_row(row, people) for row in chunk])
                if len(chunk) < EXPORT_CHUNK:
                    break
                page = query.where(_older_than(chunk[-1].occurred_at, chunk[-1].id))

    return generate()
