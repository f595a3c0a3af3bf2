"""scale vetting: covering indexes for the work list's search of each person's current DBS check and police
vetting (dbs_checks and police_vettings by volunteer, with the columns the lists are decided on), replacing
the plain volunteer_id indexes they start with

Revision ID: 0020_scale_vetting
Revises: 0018_retention
Create Date: 2026-12-02 05:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_scale_vetting'
down_revision = '0018_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_dbs_checks_current", "dbs_checks",
                    ["volunteer_id", "issued_on", "id", "outcome", "submitted_on"])
    op.create_index("ix_police_vettings_current", "police_vettings",
                    ["volunteer_id", "outcome", "outcome_on", "submitted_on", "id"])
    # The new indexes start with volunteer_id, so they serve every search by volunteer; SQLite would otherwise
    # pick the narrower old ones and read the table rows too.
    op.drop_index("ix_dbs_checks_volunteer_id", table_name="dbs_checks")
    op.drop_index("ix_police_vettings_volunteer_id", table_name="police_vettings")


def downgrade():
    op.create_index("ix_police_vettings_volunteer_id", "police_vettings", ["volunteer_id"])
    op.create_index("ix_dbs_checks_volunteer_id", "dbs_checks", ["volunteer_id"])
    op.drop_index("ix_police_vettings_current", table_name="police_vettings")
    op.drop_index("ix_dbs_checks_current", table_name="dbs_checks")
