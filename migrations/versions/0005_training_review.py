"""training review: courses.open_to_applicants (applicants may book the taster day)

Revision ID: 0005_training_review
Revises: 0004_training
Create Date: 2026-11-21 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_training_review'
down_revision = '0004_training'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_to_applicants', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('open_to_applicants')
