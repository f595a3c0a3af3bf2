"""retention: users.anonymised_at (leavers anonymised under policy/retention.toml); audit_prunings, the anchors
that let the start of the audit log be pruned past its horizon while the rest of the chain still verifies

The database lets a DELETE on audit_events through only for rows at or before the newest anchor, never the
newest row; an anchor must name an existing row (not the newest) with its exact hash, after the previous
anchor; anchors are never changed or deleted.

Revision ID: 0018_retention
Revises: 0019_walk_in
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_retention'
down_revision = '0019_walk_in'
branch_labels = None
depends_on = None

ANCHOR_PROBLEM = ("an audit pruning anchor must name an existing audit row (not the newest) with its hash, "
                  "after the last anchor")
# The newest row always stays (SQLite would give the next row the largest id there + 1, starting ids again).
ANCHOR_BAD = ("NOT EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.through_id AND row_hash = NEW.through_hash) "
              "OR NEW.through_id <= (SELECT coalesce(max(through_id), 0) FROM audit_prunings) "
              "OR NEW.through_id >= (SELECT max(id) FROM audit_events)")
PRUNED = ("OLD.id <= (SELECT coalesce(max(through_id), 0) FROM audit_prunings) "
          "AND OLD.id < (SELECT max(id) FROM audit_events)")

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    f"WHEN NOT ({PRUNED}) "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    f"CREATE TRIGGER audit_prunings_anchor BEFORE INSERT ON audit_prunings WHEN {ANCHOR_BAD} "
    f"BEGIN SELECT RAISE(ABORT, '{ANCHOR_PROBLEM}'); END",
    "CREATE TRIGGER audit_prunings_no_update BEFORE UPDATE ON audit_prunings "
    "BEGIN SELECT RAISE(ABORT, 'audit_prunings is append-only'); END",
    "CREATE TRIGGER audit_prunings_no_delete BEFORE DELETE ON audit_prunings "
    "BEGIN SELECT RAISE(ABORT, 'audit_prunings is append-only'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_prunings_anchor",
    "DROP TRIGGER IF EXISTS audit_prunings_no_update",
    "DROP TRIGGER IF EXISTS audit_prunings_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
POSTGRES_UP = [
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' AND {PRUNED} THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION 'audit_events is append-only'; END $$",
    "CREATE FUNCTION audit_prunings_anchor() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF {ANCHOR_BAD} THEN RAISE EXCEPTION '{ANCHOR_PROBLEM}'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER audit_prunings_anchor BEFORE INSERT ON audit_prunings "
    "FOR EACH ROW EXECUTE FUNCTION audit_prunings_anchor()",
    "CREATE TRIGGER audit_prunings_append_only BEFORE UPDATE OR DELETE ON audit_prunings "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_prunings_append_only ON audit_prunings",
    "DROP TRIGGER IF EXISTS audit_prunings_anchor ON audit_prunings",
    "DROP FUNCTION IF EXISTS audit_prunings_anchor()",
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
]


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table('audit_prunings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('through_id', sa.Integer(), nullable=False),
    sa.Column('through_hash', sa.String(length=64), nullable=False),
    sa.Column('horizon', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('pruned_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_prunings'))
    )
    op.add_column('users', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_column('users', 'anonymised_at')
    op.drop_table('audit_prunings')
