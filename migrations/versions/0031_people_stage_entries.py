"""each person's stage on the volunteers list, kept (people_stage_entries), and the day and policies it holds for

The volunteers list by stage worked out every stage of everyone in scope on each request (a coordinator's
"vetted" list at 50,000 people: 550 to 890 ms at the 99th percentile). The stages are now kept per person,
worked out again when their records change and for everyone once a day (app/people/services_stages.py).

Revision ID: 0031_people_stage_entries
Revises: 0030_readiness_entries
Create Date: 2026-12-07 15:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031_people_stage_entries'
down_revision = '0030_readiness_entries'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'people_stage_entries',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_people_stage_entries_person_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_people_stage_entries')),
    )
    op.create_index('ix_people_stage_entries_stage', 'people_stage_entries', ['stage', 'person_id'], unique=False)
    state = op.create_table(
        'people_stage_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('on_day', sa.Date(), nullable=True),
        sa.Column('policy_key', sa.String(length=64), nullable=True),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_people_stage_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'on_day': None, 'policy_key': None, 'refreshed_at': None}])


def downgrade():
    op.drop_table('people_stage_state')
    op.drop_index('ix_people_stage_entries_stage', table_name='people_stage_entries')
    op.drop_table('people_stage_entries')
