"""vetting work lists from index ranges: each list's records found by date, outcome or level

The work list page counts each list over everyone in scope. Each list now starts from the records inside an
index range (a date window worked out from the policy, an outcome, a level, a pending record) instead of working
out every volunteer's lists (a manager's page at 50,000 people: about 400 ms of SQL).

- dbs_checks (issued_on, volunteer_id): rechecks due in each band, status checks due; (outcome, volunteer_id):
  checks awaiting a decision, pending checks (no outcome); (level, volunteer_id), (workforce, volunteer_id):
  checks of the wrong level or workforce.
- police_vettings (expires_on, volunteer_id): clearances expiring in each band; (outcome, volunteer_id): waiting
  for an outcome, refused or withdrawn; (level, volunteer_id): too low a level.
- dbs_status_checks (outcome, dbs_check_id): status checks that showed new information.
- police_vetting_changes (reviewed_on, police_vetting_id): changes of circumstances not yet reviewed.
- user_roles (role, user_id): the volunteers, from their role grants.

Revision ID: 0027_vetting_lists
Revises: 0026_scale_lists
Create Date: 2026-12-03 07:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_vetting_lists'
down_revision = '0026_scale_lists'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_dbs_checks_issued_on', 'dbs_checks', ['issued_on', 'volunteer_id']),
    ('ix_dbs_checks_outcome', 'dbs_checks', ['outcome', 'volunteer_id']),
    ('ix_dbs_checks_level', 'dbs_checks', ['level', 'volunteer_id']),
    ('ix_dbs_checks_workforce', 'dbs_checks', ['workforce', 'volunteer_id']),
    ('ix_police_vettings_expires_on', 'police_vettings', ['expires_on', 'volunteer_id']),
    ('ix_police_vettings_outcome', 'police_vettings', ['outcome', 'volunteer_id']),
    ('ix_police_vettings_level', 'police_vettings', ['level', 'volunteer_id']),
    ('ix_dbs_status_checks_outcome', 'dbs_status_checks', ['outcome', 'dbs_check_id']),
    ('ix_police_vetting_changes_reviewed_on', 'police_vetting_changes', ['reviewed_on', 'police_vetting_id']),
    ('ix_user_roles_role', 'user_roles', ['role', 'user_id']),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
