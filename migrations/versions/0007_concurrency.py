"""concurrency: version counters on the rows whose state moves; uniqueness where the rule is uniqueness

- `version` on users, applications, referees, dbs_checks, police_vettings, training_sessions, training_bookings:
  every state change is a conditional write on it (see app/actions.py).
- one open application per person (a partial unique index);
- one decision per DBS check.

Revision ID: 0007_concurrency
Revises: 0006_training_review
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_concurrency'
down_revision = '0006_training_review'
branch_labels = None
depends_on = None

VERSIONED = ('users', 'applications', 'referees', 'dbs_checks', 'police_vettings', 'training_sessions', 'training_bookings')
OPEN_ONLY = "status NOT IN ('accepted', 'declined', 'withdrawn')"


def _refuse_duplicates(sql: str, what: str) -> None:
    rows = op.get_bind().execute(sa.text(sql)).all()
    if rows:
        raise RuntimeError(f"Cannot add the rule '{what}': these break it already: {[tuple(r) for r in rows]}. "
                           "Resolve them by hand (keep the right one), then upgrade again.")


def upgrade():
    # Plain ADD COLUMN, not a batch table copy: copying would trip the foreign keys other tables hold.
    for table in VERSIONED:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    _refuse_duplicates(f"SELECT user_id, count(*) FROM applications WHERE {OPEN_ONLY} GROUP BY user_id HAVING count(*) > 1",
                       "one open application per person")
    op.create_index('uq_applications_one_open_per_user', 'applications', ['user_id'], unique=True,
                    sqlite_where=sa.text(OPEN_ONLY), postgresql_where=sa.text(OPEN_ONLY))
    _refuse_duplicates("SELECT dbs_check_id, count(*) FROM dbs_decisions GROUP BY dbs_check_id HAVING count(*) > 1",
                       "one decision per DBS check")
    op.drop_index('ix_dbs_decisions_dbs_check_id', table_name='dbs_decisions')
    op.create_index('uq_dbs_decisions_one_per_check', 'dbs_decisions', ['dbs_check_id'], unique=True)


def downgrade():
    op.drop_index('uq_dbs_decisions_one_per_check', table_name='dbs_decisions')
    op.create_index('ix_dbs_decisions_dbs_check_id', 'dbs_decisions', ['dbs_check_id'])
    op.drop_index('uq_applications_one_open_per_user', table_name='applications')
    for table in reversed(VERSIONED):
        op.drop_column(table, 'version')
