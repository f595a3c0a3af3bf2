"""training review: courses.open_to_applicants (applicants may book the taster day)

Revision ID: 0006_training_review
Revises: 0005_applications_review
Create Date: 2026-11-21 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_training_review'
down_revision = '0005_applications_review'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (not a batch table copy): SQLite allows it with a default, and copying `courses`
    # would trip the foreign keys that sessions and completions hold on it.
    op.add_column('courses', sa.Column('open_to_applicants', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('courses', 'open_to_applicants')
