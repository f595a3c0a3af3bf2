"""expenses: claims with lines (mileage, public transport, parking, other), receipts, saved journeys,
drivers' yearly confirmations, payment batches; one draft claim per volunteer (a partial unique index).

Revision ID: 0011_expenses
Revises: 0012_auth_limits
Create Date: 2026-12-01 22:30:06.157558

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_expenses'
down_revision = '0012_auth_limits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expense_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_expense_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_expense_batches_paid_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_batches'))
    )
    op.create_table('expense_driver_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tax_year', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('other_miles_tenths', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_expense_driver_years_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_driver_years')),
    sa.UniqueConstraint('user_id', 'tax_year', name='uq_expense_driver_years_user_year')
    )
    op.create_index(op.f('ix_expense_driver_years_user_id'), 'expense_driver_years', ['user_id'], unique=False)

    op.create_table('expense_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('extension', sa.String(length=5), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_expense_receipts_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_receipts')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_expense_receipts_stored_name'))
    )
    op.create_index(op.f('ix_expense_receipts_owner_id'), 'expense_receipts', ['owner_id'], unique=False)

    op.create_table('expense_saved_journeys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('from_place', sa.String(length=120), nullable=False),
    sa.Column('to_place', sa.String(length=120), nullable=False),
    sa.Column('miles_tenths', sa.Integer(), nullable=False),
    sa.Column('vehicle', sa.Enum('car', 'van', 'motorcycle', 'bicycle', name='expense_vehicle', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_expense_saved_journeys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_saved_journeys')),
    sa.UniqueConstraint('user_id', 'name', name='uq_expense_saved_journeys_user_name')
    )
    op.create_index(op.f('ix_expense_saved_journeys_user_id'), 'expense_saved_journeys', ['user_id'], unique=False)

    op.create_table('expense_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'queried', 'approved', 'rejected', 'paid', name='claim_status', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['expense_batches.id'], name=op.f('fk_expense_claims_batch_id_expense_batches')),
    sa.ForeignKeyConstraint(['claimant_id'], ['users.id'], name=op.f('fk_expense_claims_claimant_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_expense_claims_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_claims'))
    )
    op.create_index(op.f('ix_expense_claims_batch_id'), 'expense_claims', ['batch_id'], unique=False)
    op.create_index(op.f('ix_expense_claims_claimant_id'), 'expense_claims', ['claimant_id'], unique=False)
    op.create_index(op.f('ix_expense_claims_status'), 'expense_claims', ['status'], unique=False)
    op.create_index(op.f('ix_expense_claims_submitted_at'), 'expense_claims', ['submitted_at'], unique=False)
    op.create_index('uq_expense_claims_one_draft', 'expense_claims', ['claimant_id'], unique=True, sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))

    op.create_table('expense_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('mileage', 'public_transport', 'parking', 'other', name='expense_line_kind', native_enum=False, length=20), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('stream', sa.String(length=40), nullable=False),
    sa.Column('from_place', sa.String(length=120), nullable=True),
    sa.Column('to_place', sa.String(length=120), nullable=True),
    sa.Column('miles_tenths', sa.Integer(), nullable=True),
    sa.Column('vehicle', sa.Enum('car', 'van', 'motorcycle', 'bicycle', name='expense_vehicle', native_enum=False, length=20), nullable=True),
    sa.Column('training_session_id', sa.Integer(), nullable=True),
    sa.Column('priced', sa.JSON(), nullable=True),
    sa.Column('pence', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('reverses_line_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['expense_claims.id'], name=op.f('fk_expense_lines_claim_id_expense_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['receipt_id'], ['expense_receipts.id'], name=op.f('fk_expense_lines_receipt_id_expense_receipts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reverses_line_id'], ['expense_lines.id'], name=op.f('fk_expense_lines_reverses_line_id_expense_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_session_id'], ['training_sessions.id'], name=op.f('fk_expense_lines_training_session_id_training_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_lines'))
    )
    op.create_index(op.f('ix_expense_lines_claim_id'), 'expense_lines', ['claim_id'], unique=False)
    op.create_index(op.f('ix_expense_lines_spent_on'), 'expense_lines', ['spent_on'], unique=False)
    op.create_index(op.f('ix_expense_lines_receipt_id'), 'expense_lines', ['receipt_id'], unique=False)
    op.create_index(op.f('ix_expense_lines_reverses_line_id'), 'expense_lines', ['reverses_line_id'], unique=False)
    op.create_index(op.f('ix_expense_lines_training_session_id'), 'expense_lines', ['training_session_id'], unique=False)

    op.create_table('expense_line_passengers',
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['expense_lines.id'], name=op.f('fk_expense_line_passengers_line_id_expense_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_expense_line_passengers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('line_id', 'user_id', name=op.f('pk_expense_line_passengers'))
    )
    op.create_index(op.f('ix_expense_line_passengers_user_id'), 'expense_line_passengers', ['user_id'], unique=False)



def downgrade():
    for table in ('expense_line_passengers', 'expense_lines', 'expense_claims', 'expense_saved_journeys',
                  'expense_receipts', 'expense_driver_years', 'expense_batches'):
        op.drop_table(table)  # their indexes go with them
