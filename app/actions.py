"""How every state change runs, in every domain.

- A service that moves a state first calls `hold(record)`: a conditional write
  (`UPDATE ... SET version = version + 1 WHERE id = :id AND version = :seen`) that succeeds only if nobody has
  changed the row since this request read it. From then until the commit the row is ours: PostgreSQL keeps the
  row lock, SQLite the database write lock. Every later ORM UPDATE of a `Versioned` row also carries
  `WHERE version = :seen` (SQLAlchemy's version counter), so a service that forgot to hold still cannot win a race.
- Where the rule is uniqueness, the database enforces it, and `on_duplicate()` gives the words for a violation.
- Views run a service through `perform()`: it commits once on success; on a `DomainError`, a lost race or a
  duplicate it rolls back (so no audit row and no e-mail of the loser survive) and returns the plain message.
- GET pages that must write (a vetting view log) use `render_and_commit()`.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, has_request_context, render_template
from flask_login import current_user
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DomainError
from app.extensions import db

__all__ = ["Conflict", "DomainError", "Outcome", "Versioned", "discard", "hold", "on_duplicate", "perform",
           "render_and_commit"]

RETRIES = 5
STALE = "Someone else changed this a moment ago, so nothing was saved. Look at it again and try again if it is still needed."


class Conflict(DomainError):
    """Someone else changed the record between this request reading it and writing it."""

    def __init__(self, record, noun: str | None = None):
        super().__init__(STALE)
        self.model, self.record_id = type(record), inspect(record).identity[0]
        self.noun = noun or getattr(type(record), "noun", type(record).__name__.lower())

    def describe(self) -> str:
        """Who changed it and what it is now, read after the rollback: "This application was changed a moment
        ago by Sam Smith and is now Not accepted."."""
        from app.audit import AuditEvent

        fresh = db.session.get(self.model, self.record_id, populate_existing=True)
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.object_type == self.model.__name__, AuditEvent.object_id == self.record_id,
            AuditEvent.action.not_like("%.viewed"))  # someone looking is not someone changing
            .order_by(AuditEvent.id.desc()).limit(1))
        who = ""
        if event is not None and event.actor_id is not None:
            from app.auth.models import User

            actor = db.session.get(User, event.actor_id)
            who = f" by {actor.display_name}" if actor else ""
            if actor is not None and has_request_context() and getattr(current_user, "id", None) == actor.id:
                who = " by you (in another tab, or a second tap)"
        status = getattr(getattr(fresh, "status", None), "label", None)
        now = f" and is now {status.lower()}" if status else ""
        return (f"This {self.noun} was changed a moment ago{who}{now}, so what you sent was not saved. "
                "Check it and try again if it is still needed.")


class Versioned:
    """Mixin: a row that holds what it read, through a version counter raised on every UPDATE."""

    noun = "record"
    version: Mapped[int] = mapped_column(nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def hold(record, noun: str | None = None) -> None:
    """Claim a `Versioned` row read by this request: raise Conflict if it changed since; keep it until commit."""
    db.session.flush()  # our own pending changes first: they carry their own version check
    state = inspect(record)
    table = state.mapper.local_table
    seen = record.version
    (pk,) = state.identity
    result = db.session.execute(
        update(table).where(table.c.id == pk, table.c.version == seen).values(version=seen + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(record, noun)
    set_committed_value(record, "version", seen + 1)


# ---------------------------------------------------------------- uniqueness

_DUPLICATE_MESSAGES: dict[str, str] = {}


def on_duplicate(table: str, message: str) -> None:
    """Register the words for a unique-constraint violation on `table`."""
    _DUPLICATE_MESSAGES[table] = message


def _violated_table(exc: IntegrityError) -> str | None:
    """The table whose unique constraint `exc` violated, on PostgreSQL or SQLite; None for other errors."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg
        return diag.table_name if getattr(orig, "sqlstate", None) == "23505" else None
    text = str(orig)
    if not text.startswith("UNIQUE constraint failed: "):
        return None
    target = text.removeprefix("UNIQUE constraint failed: ")
    if target.startswith("index '"):
        name = target.removeprefix("index '").rstrip("'")
        for table in db.metadata.tables.values():
            if any(index.name == name for index in table.indexes):
                return table.name
        return None
    return target.split(".", 1)[0]


def duplicate_message(exc: IntegrityError) -> str | None:
    """The registered plain words for this unique violation, or None if it is not one we know."""
    return _DUPLICATE_MESSAGES.get(_violated_table(exc) or "")


# ---------------------------------------------------------------- running an action from a view


@dataclass
class Outcome:
    """What happened when a view ran a service: ok with the service's value, or not with the reason."""

    ok: bool
    value: Any = None
    message: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    def flash(self, done: str | None = None) -> "Outcome":
        """Flash `done` on success, or the reason it did not happen."""
        if not self.ok:
            flash(self.message, "error")
        elif done:
            flash(done)
        return self


def perform(service: Callable, *args, retry: bool = False, **kwargs) -> Outcome:
    """Run one service; commit once on success; on a refusal, a lost race or a duplicate, roll back and say why.

    `retry`: for a person's own draft, where the race is with themself (taps on "Save" from two tabs): after a
    lost race or a duplicate made at the same moment, run the service again on what is there now (up to
    RETRIES times), rather than lose what they typed. The service must look its records up afresh.
    """
    attempts = RETRIES if retry else 1
    for attempt in range(1, attempts + 1):
        again = attempt < attempts
        try:
            value = service(*args, **kwargs)
            db.session.commit()
            return Outcome(True, value)
        except Conflict as exc:
            db.session.rollback()
            if not again:
                return Outcome(False, message=exc.describe())
        except DomainError as exc:
            db.session.rollback()
            return Outcome(False, message=exc.describe())
        except StaleDataError:
            db.session.rollback()
            if not again:
                return Outcome(False, message=STALE)
        except IntegrityError as exc:
            db.session.rollback()
            message = duplicate_message(exc)
            if message is None:
                raise
            if not again:
                return Outcome(False, message=message)
    return Outcome(False, message=STALE)  # pragma: no cover  (every path above returns on the last attempt)


def render_and_commit(template: str, **context) -> str:
    """A GET page that writes (a view log): render first, then commit, so what it shows is not reloaded row by row."""
    html = render_template(template, **context)
    db.session.commit()
    return html


def discard() -> None:
    """Throw away whatever the request had not committed (error pages)."""
    db.session.rollback()
