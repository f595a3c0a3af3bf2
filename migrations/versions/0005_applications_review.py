"""applications review: a person may apply again after a decline or a withdrawal (user_id no longer unique)

Revision ID: 0005_applications_review
Revises: 0004_training
Create Date: 2026-11-21 08:46:43.175767

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_applications_review'
down_revision = '0004_training'
branch_labels = None
depends_on = None

# Rows that point at applications with ON DELETE CASCADE. SQLite can only drop a constraint by rebuilding the
# table, and dropping the old table (with foreign keys on) would cascade-delete these: keep and put them back.
CHILDREN = ('application_areas', 'referees')


def _keep_children():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return {}
    return {t: [dict(r) for r in bind.execute(sa.text(f'SELECT * FROM {t}')).mappings()] for t in CHILDREN}


def _restore_children(kept):
    bind = op.get_bind()
    for name, rows in kept.items():
        bind.execute(sa.text(f'DELETE FROM {name}'))  # whatever survived, so nothing is doubled
        if rows:
            table = sa.table(name, *(sa.column(c) for c in rows[0]))
            bind.execute(table.insert(), rows)


def upgrade():
    kept = _keep_children()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_applications_user_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_applications_user_id'), ['user_id'], unique=False)
    _restore_children(kept)


def downgrade():
    # Only possible while nobody has a second application.
    kept = _keep_children()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_user_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_applications_user_id'), ['user_id'])
    _restore_children(kept)
