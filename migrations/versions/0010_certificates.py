"""certificates: issued on completion, verified by code, revoked or superseded on record; transcript share links

- `certificates`: a snapshot of a completion at issue; only the SHA-256 of its code is kept (the code is a keyed
  hash of `nonce`); one live certificate per completion (a partial unique index); `version` for hold().
- `transcript_shares`: a volunteer's share link to their transcript (deleting the row turns it off).
- `courses`: accrediting body and number, learning hours, course version (from the course files).

Revision ID: 0010_certificates
Revises: 0011_expenses
Create Date: 2026-12-01 22:32:19.425937

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_certificates'
down_revision = '0011_expenses'
branch_labels = None
depends_on = None

LIVE = 'revoked_at IS NULL AND superseded_at IS NULL'


def upgrade():
    op.create_table('transcript_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_transcript_shares_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_shares')),
    sa.UniqueConstraint('token', name=op.f('uq_transcript_shares_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_transcript_shares_user_id'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('course_version', sa.String(length=40), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('learning_minutes', sa.Integer(), nullable=False),
    sa.Column('trainer_names', sa.String(length=500), nullable=False),
    sa.Column('accrediting_body', sa.String(length=200), nullable=True),
    sa.Column('accreditation_number', sa.String(length=80), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_because', sa.Enum('later_completion', 'name_change', name='superseded_because', native_enum=False, length=20), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['training_completions.id'], name=op.f('fk_certificates_completion_id_training_completions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_certificates_code_hash')),
    sa.UniqueConstraint('nonce', name=op.f('uq_certificates_nonce'))
    )
    op.create_index(op.f('ix_certificates_completion_id'), 'certificates', ['completion_id'], unique=False)
    op.create_index(op.f('ix_certificates_course_id'), 'certificates', ['course_id'], unique=False)
    op.create_index(op.f('ix_certificates_user_id'), 'certificates', ['user_id'], unique=False)
    op.create_index('uq_certificates_one_live_per_completion', 'certificates', ['completion_id'], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    # Plain ADD COLUMN, not a batch table copy: copying would trip the foreign keys other tables hold.
    op.add_column('courses', sa.Column('accrediting_body', sa.String(length=200), nullable=True))
    op.add_column('courses', sa.Column('accreditation_number', sa.String(length=80), nullable=True))
    op.add_column('courses', sa.Column('learning_minutes', sa.Integer(), nullable=True))
    op.add_column('courses', sa.Column('course_version', sa.String(length=40), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('course_version')
        batch_op.drop_column('learning_minutes')
        batch_op.drop_column('accreditation_number')
        batch_op.drop_column('accrediting_body')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_one_live_per_completion')
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_course_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_completion_id'))

    op.drop_table('certificates')
    op.drop_table('transcript_shares')
