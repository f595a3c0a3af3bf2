"""auth limits: attempt counters claimed before the work they limit, replacing the hard sign-in lock

- `throttle_counters`: one row per (kind, subject, source), raised by a conditional upsert before a password
  is checked or an e-mail sent, so parallel requests cannot all read a count under the limit;
- `throttle_events` (one row per failed attempt, read, then checked, then written) goes.

Revision ID: 0012_auth_limits
Revises: 0015_training_records
Create Date: 2026-12-01 22:40:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0012_auth_limits'
down_revision = '0015_training_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=254), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_counters')),
    sa.UniqueConstraint('kind', 'subject', 'source', name='uq_throttle_counters_kind_subject_source')
    )
    # Counts of failed attempts only: nothing to carry over (the worst case is a few free guesses again).
    op.drop_index('ix_throttle_events_occurred_at', table_name='throttle_events')
    op.drop_index('ix_throttle_events_key', table_name='throttle_events')
    op.drop_table('throttle_events')


def downgrade():
    op.create_table('throttle_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_events'))
    )
    op.create_index('ix_throttle_events_key', 'throttle_events', ['key'], unique=False)
    op.create_index('ix_throttle_events_occurred_at', 'throttle_events', ['occurred_at'], unique=False)
    op.drop_table('throttle_counters')
