"""scale: an area's people, people by name whatever the case, completions and expense lines by date

- user_areas (area_id, user_id): a coordinator's volunteers, vetting and readiness lists start from the people of
  the areas they cover (`users.id IN (SELECT user_id FROM user_areas WHERE area_id IN ...)`); the primary key
  (user_id, area_id) only finds one person's areas, so SQLite scanned the whole table for each list.
- users (lower(full_name), id): the volunteers list is ordered by name ignoring case; without it the first page
  sorted every person (a manager's list at 50,000 people: 69 ms, 3 ms with it).
- training_completions (completed_on, course_id, user_id): the funder report's people completing each course in
  a period; SQLite read every completion in course order instead (105 ms at 50,000 people, 25 ms with it).
- expense_lines (spent_on, claim_id), in place of (spent_on): the finance page's people paid in a tax year, from
  the index alone (84 ms a page at 50,000 people, 25 ms with it).

Revision ID: 0026_scale_lists
Revises: 0025_dashboard_snapshots
Create Date: 2026-12-02 08:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_scale_lists'
down_revision = '0025_dashboard_snapshots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_user_areas_area_id', 'user_areas', ['area_id', 'user_id'])
    op.create_index('ix_users_lower_full_name_id', 'users', [sa.text('lower(full_name)'), 'id'])
    op.create_index('ix_training_completions_period', 'training_completions', ['completed_on', 'course_id', 'user_id'])
    with op.batch_alter_table('expense_lines') as batch_op:
        batch_op.create_index('ix_expense_lines_spent_on_claim', ['spent_on', 'claim_id'])
        batch_op.drop_index('ix_expense_lines_spent_on')


def downgrade():
    with op.batch_alter_table('expense_lines') as batch_op:
        batch_op.create_index('ix_expense_lines_spent_on', ['spent_on'])
        batch_op.drop_index('ix_expense_lines_spent_on_claim')
    op.drop_index('ix_training_completions_period', table_name='training_completions')
    op.drop_index('ix_users_lower_full_name_id', table_name='users')
    op.drop_index('ix_user_areas_area_id', table_name='user_areas')
