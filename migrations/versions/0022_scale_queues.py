"""scale (queues): indexes the queue, home and audit lists need at 50,000 people

- application_areas (area_id, application_id): a coordinator's applications found by area (the primary key
  leads with the application id, so "in these areas" scanned the whole table).
- applications (status, submitted_at, user_id, id): the queue's counts per status and its page (longest
  waiting first) read from the index alone.
- applications (status, decided_at, user_id): the funder reports' people accepted in a quarter.
- audit_events (occurred_at, id) in place of (occurred_at): the log's order, newest first then by id, so a
  page is read backwards from the index (PostgreSQL sorted every entry for each page).

Revision ID: 0022_scale_queues
Revises: 0020_scale_vetting
Create Date: 2026-12-02 04:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_scale_queues'
down_revision = '0020_scale_vetting'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_application_areas_area_id', 'application_areas', ['area_id', 'application_id'])
    op.create_index('ix_applications_queue', 'applications', ['status', 'submitted_at', 'user_id', 'id'])
    op.create_index('ix_applications_decided', 'applications', ['status', 'decided_at', 'user_id'])
    op.create_index('ix_audit_events_occurred_at_id', 'audit_events', ['occurred_at', 'id'])
    op.drop_index('ix_audit_events_occurred_at', table_name='audit_events')


def downgrade():
    op.create_index('ix_audit_events_occurred_at', 'audit_events', ['occurred_at'])
    op.drop_index('ix_audit_events_occurred_at_id', table_name='audit_events')
    op.drop_index('ix_applications_decided', table_name='applications')
    op.drop_index('ix_applications_queue', table_name='applications')
    op.drop_index('ix_application_areas_area_id', table_name='application_areas')
