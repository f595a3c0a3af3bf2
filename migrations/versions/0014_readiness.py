"""readiness: the volunteer agreement, induction meetings, emergency contacts, standings, stand-downs, warnings,
clients, pairings and contacts

Revision ID: 0014_readiness
Revises: 0008_security
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_readiness'
down_revision = '0008_security'
branch_labels = None
depends_on = None


def _fk(table, column, ondelete):
    return sa.ForeignKeyConstraint([column], ['users.id'], name=op.f(f'fk_{table}_{column}_users'), ondelete=ondelete)


def upgrade():
    op.create_table('readiness_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    _fk('readiness_agreements', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_agreements')),
    sa.UniqueConstraint('volunteer_id', 'version', name='uq_readiness_agreements_once')
    )
    op.create_index(op.f('ix_readiness_agreements_volunteer_id'), 'readiness_agreements', ['volunteer_id'], unique=False)

    op.create_table('readiness_inductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    _fk('readiness_inductions', 'recorded_by_id', 'SET NULL'),
    _fk('readiness_inductions', 'supervisor_id', 'SET NULL'),
    _fk('readiness_inductions', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_inductions'))
    )
    op.create_index(op.f('ix_readiness_inductions_volunteer_id'), 'readiness_inductions', ['volunteer_id'], unique=False)

    op.create_table('readiness_emergency_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('relationship_kind', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    _fk('readiness_emergency_contacts', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_emergency_contacts')),
    sa.UniqueConstraint('volunteer_id', name=op.f('uq_readiness_emergency_contacts_volunteer_id'))
    )

    op.create_table('mentor_standings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_released', 'released', 'stood_down', 'suspended', 'paused', name='mentor_standing', native_enum=False, length=20), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('first_released_on', sa.Date(), nullable=True),
    sa.Column('release_count', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    _fk('mentor_standings', 'changed_by_id', 'SET NULL'),
    _fk('mentor_standings', 'released_by_id', 'SET NULL'),
    _fk('mentor_standings', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_standings')),
    sa.UniqueConstraint('volunteer_id', name=op.f('uq_mentor_standings_volunteer_id'))
    )

    op.create_table('readiness_stand_downs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('release_number', sa.Integer(), nullable=False),
    sa.Column('stood_down_on', sa.Date(), nullable=False),
    sa.Column('gate_codes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    _fk('readiness_stand_downs', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_stand_downs')),
    sa.UniqueConstraint('volunteer_id', 'release_number', name='uq_readiness_stand_downs_once')
    )
    op.create_index(op.f('ix_readiness_stand_downs_volunteer_id'), 'readiness_stand_downs', ['volunteer_id'], unique=False)

    op.create_table('readiness_warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('gate_code', sa.String(length=40), nullable=False),
    sa.Column('good_until', sa.Date(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    _fk('readiness_warnings', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_warnings')),
    sa.UniqueConstraint('volunteer_id', 'gate_code', 'good_until', 'lead_days', name='uq_readiness_warnings_once')
    )
    op.create_index(op.f('ix_readiness_warnings_volunteer_id'), 'readiness_warnings', ['volunteer_id'], unique=False)


    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_clients_area_id_areas')),
    _fk('clients', 'created_by_id', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('reference', name=op.f('uq_clients_reference'))
    )
    op.create_index(op.f('ix_clients_area_id'), 'clients', ['area_id'], unique=False)

    op.create_table('client_acquaintances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_acquaintances_client_id_clients'), ondelete='CASCADE'),
    _fk('client_acquaintances', 'recorded_by_id', 'SET NULL'),
    _fk('client_acquaintances', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_acquaintances')),
    sa.UniqueConstraint('client_id', 'volunteer_id', name='uq_client_acquaintances_once')
    )
    op.create_index(op.f('ix_client_acquaintances_client_id'), 'client_acquaintances', ['client_id'], unique=False)
    op.create_index(op.f('ix_client_acquaintances_volunteer_id'), 'client_acquaintances', ['volunteer_id'], unique=False)

    op.create_table('pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('flagged_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_pairings_client_id_clients'), ondelete='CASCADE'),
    _fk('pairings', 'created_by_id', 'SET NULL'),
    _fk('pairings', 'ended_by_id', 'SET NULL'),
    _fk('pairings', 'first_id', 'CASCADE'),
    _fk('pairings', 'second_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairings'))
    )
    for column in ('client_id', 'first_id', 'second_id'):
        op.create_index(op.f(f'ix_pairings_{column}'), 'pairings', [column], unique=False)

    op.create_table('client_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('contact_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('phone', 'text', 'visit', name='client_contact_kind', native_enum=False, length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairings.id'], name=op.f('fk_client_contacts_pairing_id_pairings'), ondelete='CASCADE'),
    _fk('client_contacts', 'volunteer_id', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_contacts'))
    )
    op.create_index(op.f('ix_client_contacts_pairing_id'), 'client_contacts', ['pairing_id'], unique=False)
    op.create_index(op.f('ix_client_contacts_volunteer_id'), 'client_contacts', ['volunteer_id'], unique=False)


def downgrade():
    for table in ('client_contacts', 'pairings', 'client_acquaintances', 'clients', 'readiness_warnings', 'readiness_stand_downs', 'mentor_standings', 'readiness_emergency_contacts',
                  'readiness_inductions', 'readiness_agreements'):
        op.drop_table(table)
