"""Column types shared by every domain: times are stored in UTC and come back timezone-aware."""
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC on every database; naive values are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_cls, name: str, length: int = 30) -> Enum:
    """A portable enum column storing the members' values ('applicant'), not their names."""
    return Enum(enum_cls, name=name, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


def upsert(table):
    """`INSERT` into `table` with `ON CONFLICT` (on_conflict_do_nothing / on_conflict_do_update), in the dialect of
    the database the session is on: PostgreSQL's and SQLite's are the same statement under two names."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from app.extensions import db

    return (pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)
