"""each volunteer's vetting work lists, kept (vetting_list_entries), and the day and policy they hold for

The work list page counted and paged every list from everyone's records on each request (at 50,000 people:
55 to 78 ms of SQL on SQLite, from about 30 index ranges). The lists are now kept per person, worked out again
when their records change and for everyone once a day (app/vetting/services_lists.py).

Revision ID: 0029_vetting_list_entries
Revises: 0028_list_covering
Create Date: 2026-12-04 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029_vetting_list_entries'
down_revision = '0028_list_covering'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'vetting_list_entries',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('lists', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_vetting_list_entries_person_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_vetting_list_entries')),
    )
    state = op.create_table(
        'vetting_list_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('on_day', sa.Date(), nullable=True),
        sa.Column('policy_key', sa.String(length=64), nullable=True),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vetting_list_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'on_day': None, 'policy_key': None, 'refreshed_at': None}])


def downgrade():
    op.drop_table('vetting_list_state')
    op.drop_table('vetting_list_entries')
