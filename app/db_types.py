"""Column types shared by every domain (times are stored in UTC and come back timezone-aware), and the few SQL
helpers that differ by dialect: `upsert`, `among` (many ids as one parameter), `plain_rows` (bulk reads)."""
import json
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, Integer, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
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


def among(column, ids):
    """`column IN ids` with the ids as one parameter, not thousands (expanding thousands of IN parameters costs
    more than the query): on PostgreSQL `= ANY(array)`, on SQLite `IN (SELECT value FROM json_each(:ids))`."""
    if isinstance(ids, (list, tuple, set)):
        from app.extensions import db

        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            return column == any_(literal(list(ids), ARRAY(Integer)))
        if dialect == "sqlite":
            listed = func.json_each(json.dumps([int(i) for i in ids])).table_valued("value")
            return column.in_(select(listed.c.value))
    return column.in_(ids)


def plain_rows(query):
    """Plain rows on the session's connection: bulk reads skip the ORM's result machinery (no objects made)."""
    from app.extensions import db

    return db.session.connection().execute(query)
