"""indexes the volunteers and ready lists read alone: sent applications, current course completions

- applications (user_id) and (id, user_id), partial on submitted_at IS NOT NULL: who has sent an application,
  and whose each sent application is. The volunteers list tested "has sent an application" and joined an area's
  applications by reading the applications table itself (about 2,000 pages at 50,000 people, on every request).
- training_completions (course_id, user_id, completed_on, expires_on): a course's current completions read from
  the index, without visiting the table (the ready list's course gates on PostgreSQL: four hashes of some 16,000
  completions each, from 2,000 table pages each).

Revision ID: 0028_list_covering
Revises: 0027_vetting_lists
Create Date: 2026-12-03 19:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_list_covering'
down_revision = '0027_vetting_lists'
branch_labels = None
depends_on = None

SENT = sa.text("submitted_at IS NOT NULL")


def upgrade():
    op.create_index('ix_applications_sent', 'applications', ['user_id'], sqlite_where=SENT, postgresql_where=SENT)
    op.create_index('ix_applications_sent_id', 'applications', ['id', 'user_id'], sqlite_where=SENT,
                    postgresql_where=SENT)
    op.create_index('ix_training_completions_current', 'training_completions',
                    ['course_id', 'user_id', 'completed_on', 'expires_on'])


def downgrade():
    op.drop_index('ix_training_completions_current', table_name='training_completions')
    op.drop_index('ix_applications_sent_id', table_name='applications')
    op.drop_index('ix_applications_sent', table_name='applications')
