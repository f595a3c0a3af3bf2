"""security: the audit log becomes a hash chain with database time and no TRUNCATE; an e-mail outbox

Revision ID: 0008_security
Revises: 0010_certificates
Create Date: 2026-12-01 22:00:00

"""
import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_security'
down_revision = '0010_certificates'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _chain_hash(prev_hash, row):
    """A frozen copy of app.audit.chain_hash (v1): migrations never import app code."""
    occurred = row.occurred_at if row.occurred_at.tzinfo else row.occurred_at.replace(tzinfo=UTC)
    content = ["v1", prev_hash, occurred.astimezone(UTC).isoformat(timespec="microseconds"), row.actor_id,
               row.action, row.subject_id, row.object_type, row.object_id, row.ip_address, row.details]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _chain_existing_rows():
    """Give the rows already written their place in the chain, oldest first; returns the newest hash."""
    events = sa.table(
        'audit_events', sa.column('id', sa.Integer), sa.column('occurred_at', sa.DateTime(timezone=True)),
        sa.column('actor_id', sa.Integer), sa.column('action', sa.String), sa.column('subject_id', sa.Integer),
        sa.column('object_type', sa.String), sa.column('object_id', sa.Integer), sa.column('ip_address', sa.String),
        sa.column('details', sa.JSON), sa.column('prev_hash', sa.String), sa.column('row_hash', sa.String))
    conn = op.get_bind()
    prev = GENESIS
    for row in conn.execute(sa.select(events).order_by(events.c.id)).all():
        row_hash = _chain_hash(prev, row)
        conn.execute(events.update().where(events.c.id == row.id).values(prev_hash=prev, row_hash=row_hash))
        prev = row_hash
    return prev


SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
SQLITE_NEW = [
    # SQLite cannot rewrite a row in a BEFORE trigger, so it refuses a time that is not now.
    "CREATE TRIGGER audit_events_db_time BEFORE INSERT ON audit_events "
    "WHEN NEW.occurred_at IS NULL OR abs(julianday(NEW.occurred_at) - julianday('now')) * 86400 > 60 "
    "BEGIN SELECT RAISE(ABORT, 'audit_events takes its time from the database clock'); END",
    "CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain "
    "BEGIN SELECT RAISE(ABORT, 'audit_chain cannot be deleted'); END",
    "CREATE TRIGGER audit_events_chain_head AFTER INSERT ON audit_events "
    "BEGIN UPDATE audit_chain SET last_hash = NEW.row_hash WHERE id = 1; END",
]
POSTGRES_APPEND_ONLY = [
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
]
POSTGRES_NEW = [
    "CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
    "CREATE TRIGGER audit_chain_no_delete BEFORE DELETE OR TRUNCATE ON audit_chain "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
    # The time is the database's: a value from this transaction (the portal reads clock_timestamp() under the
    # chain lock and hashes it) is kept; any other, such as a backdated one, is replaced by the time now.
    "CREATE FUNCTION audit_events_db_time() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF NEW.occurred_at IS NULL OR NEW.occurred_at < now() OR NEW.occurred_at > clock_timestamp() THEN "
    "NEW.occurred_at := clock_timestamp(); END IF; RETURN NEW; END $$",
    "CREATE TRIGGER audit_events_db_time BEFORE INSERT ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_db_time()",
    # The chain head follows every insert, so it always names the newest row.
    "CREATE FUNCTION audit_chain_advance() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE audit_chain SET last_hash = NEW.row_hash WHERE id = 1; RETURN NULL; END $$",
    "CREATE TRIGGER audit_events_chain_head AFTER INSERT ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_chain_advance()",
]


def _drop_triggers(sqlite):
    if sqlite:
        for name in ("audit_events_no_update", "audit_events_no_delete", "audit_events_db_time",
                     "audit_chain_no_delete", "audit_events_chain_head"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_db_time ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_db_time()")
        op.execute("DROP TRIGGER IF EXISTS audit_events_chain_head ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_advance()")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_no_delete ON audit_chain")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse()")


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', name='mail_status', native_enum=False, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_status'), ['status'], unique=False)

    # Chain the rows already there (the append-only triggers are lifted for this one update), then make the
    # hashes required and the time the database's. On SQLite the batch copies the table, dropping its triggers.
    _drop_triggers(sqlite)
    op.add_column('audit_events', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('row_hash', sa.String(length=64), nullable=True))
    newest = _chain_existing_rows()
    op.execute(sa.table('audit_chain', sa.column('id'), sa.column('last_hash')).insert().values(id=1, last_hash=newest))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('occurred_at', existing_type=sa.DateTime(timezone=True), existing_nullable=False,
                              server_default=sa.text('CURRENT_TIMESTAMP'))
    for statement in (SQLITE_APPEND_ONLY + SQLITE_NEW) if sqlite else (POSTGRES_APPEND_ONLY + POSTGRES_NEW):
        op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_triggers(sqlite)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('occurred_at', existing_type=sa.DateTime(timezone=True), existing_nullable=False,
                              server_default=None)
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
    for statement in SQLITE_APPEND_ONLY if sqlite else POSTGRES_APPEND_ONLY:
        op.execute(statement)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_status'))
    op.drop_table('outbox_messages')
    op.drop_table('audit_chain')
