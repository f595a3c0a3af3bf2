"""scale: users by name, for the pages that list people in name order a page at a time

- users (full_name, id): the admins' people list and the finance list of everyone paid in a tax year are ordered
  by name then id; without it every page sorted all the users (50,000 at scale) to show 25 or 50.

Revision ID: 0024_scale_people
Revises: 0023_scale_training
Create Date: 2026-12-02 05:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_scale_people'
down_revision = '0023_scale_training'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_full_name_id', 'users', ['full_name', 'id'])


def downgrade():
    op.drop_index('ix_users_full_name_id', table_name='users')
