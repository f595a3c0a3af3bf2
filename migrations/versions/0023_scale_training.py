"""scale (training and expenses pages at 50,000 people): indexes the pages' queries need

- training_completions (user_id, course_id): the walk-in search checks each person it looks at for the course's
  prerequisites; with only the course_id index SQLite read every completion of that course per person.
- training_session_trainers (user_id, session_id): the sessions a person teaches (teaching page, home page, feed);
  the primary key starts with the session, so finding a trainer's sessions read every session.

Revision ID: 0023_scale_training
Revises: 0022_scale_queues
Create Date: 2026-12-02 04:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023_scale_training'
down_revision = '0022_scale_queues'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_training_completions_user_course', 'training_completions', ['user_id', 'course_id'])
    op.create_index('ix_training_session_trainers_user_id', 'training_session_trainers', ['user_id', 'session_id'])


def downgrade():
    op.drop_index('ix_training_session_trainers_user_id', table_name='training_session_trainers')
    op.drop_index('ix_training_completions_user_course', table_name='training_completions')
