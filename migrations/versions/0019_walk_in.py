"""walk-ins without an account: the phone number a trainer took down when adding them

- users.phone: a phone number given when the account was made on someone's behalf (a newcomer added to a
  taster day's register), or NULL. People who sign up themselves give theirs on their application.

Revision ID: 0019_walk_in
Revises: 0009_safer_recruitment
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_walk_in'
down_revision = '0009_safer_recruitment'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('phone', sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column('users', 'phone')
