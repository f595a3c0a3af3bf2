"""each volunteer's readiness gate states, kept (readiness_entries), and the day and policies they hold for

The readiness list decided every gate for everyone in scope in SQL on each filtered request (the ready list: 15
gates for about 3,500 people, 0.5 to 1.6 s at 50,000 people). The states are now kept per person, worked out
again when their records change and for everyone once a day by `flask readiness sweep`
(app/readiness/services_states.py).

Revision ID: 0030_readiness_entries
Revises: 0029_vetting_list_entries
Create Date: 2026-12-07 15:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_readiness_entries'
down_revision = '0029_vetting_list_entries'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'readiness_entries',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('states', sa.Text(), nullable=False),
        sa.Column('untils', sa.Text(), nullable=False),
        sa.Column('ready', sa.Boolean(), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('soonest', sa.Date(), nullable=True),
        sa.Column('released', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_readiness_entries_person_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_readiness_entries')),
    )
    op.create_index('ix_readiness_entries_to_release', 'readiness_entries', ['person_id'], unique=False,
                    postgresql_where=sa.text('ready AND NOT released'), sqlite_where=sa.text('ready AND NOT released'))
    state = op.create_table(
        'readiness_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('on_day', sa.Date(), nullable=True),
        sa.Column('policy_key', sa.String(length=64), nullable=True),
        sa.Column('building_day', sa.Date(), nullable=True),
        sa.Column('building_key', sa.String(length=64), nullable=True),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'on_day': None, 'policy_key': None, 'building_day': None,
                            'building_key': None, 'refreshed_at': None}])


def downgrade():
    op.drop_table('readiness_state')
    op.drop_table('readiness_entries')
