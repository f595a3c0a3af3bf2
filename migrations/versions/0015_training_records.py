"""training records: learning done elsewhere (provider and evidence seen on a completion); minutes missed
by someone marked late or leaving early; courses in several parts (courses.parts, training_sessions.part)

Revision ID: 0015_training_records
Revises: 0007_concurrency
Create Date: 2026-12-01 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_training_records'
down_revision = '0007_concurrency'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('training_completions', sa.Column('provider', sa.String(length=200), nullable=True))
    op.add_column('training_completions', sa.Column('evidence', sa.String(length=300), nullable=True))
    op.add_column('training_bookings', sa.Column('minutes_missed', sa.Integer(), nullable=True))
    op.add_column('courses', sa.Column('parts', sa.Integer(), server_default='1', nullable=False))
    op.add_column('training_sessions', sa.Column('part', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    op.drop_column('training_sessions', 'part')
    op.drop_column('courses', 'parts')
    op.drop_column('training_bookings', 'minutes_missed')
    op.drop_column('training_completions', 'evidence')
    op.drop_column('training_completions', 'provider')
