"""dashboard snapshots: the dashboard's panels for one scope, kept for a few minutes (policy/reports.toml
[dashboard] fresh_minutes), shared by every app server

Revision ID: 0025_dashboard_snapshots
Revises: 0024_scale_people
Create Date: 2026-12-02 05:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025_dashboard_snapshots'
down_revision = '0024_scale_people'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dashboard_snapshots',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('panels', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_dashboard_snapshots')),
    )
    op.create_index(op.f('ix_dashboard_snapshots_computed_at'), 'dashboard_snapshots', ['computed_at'])


def downgrade():
    op.drop_index(op.f('ix_dashboard_snapshots_computed_at'), table_name='dashboard_snapshots')
    op.drop_table('dashboard_snapshots')
