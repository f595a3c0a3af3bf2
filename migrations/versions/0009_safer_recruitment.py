"""safer recruitment: Update Service facts, identity checks, approval conditions and a manager's confirmation

- dbs_checks: how the holder joined the Update Service (join_route), the renewal date kept (renews_on), and
  consent withdrawn (consent_withdrawn_on);
- dbs_decisions: condition codes, and whether the approval needs a manager's confirmation. Decisions made
  before this revision were made under the old rules and need none (server default false);
- dbs_decision_confirmations: one confirmation per decision;
- identity_checks: the DBS ID check (route, document types, names and addresses confirmed, who and when);
- police_vetting_changes: changes of circumstances reported (aftercare), as kind codes, and the force's review;
- self_declarations: the volunteer's confidential self-declaration at the vetting stage (details purged);
- application_notes: the free text written with an application's steps, kept out of the audit log so the
  purge can reach it (existing notes are copied from the audit details); applications.notes_purged_at and
  anonymised_at (the retention sweep);
- applications.lived_experience_note goes: criminal-offence detail has no lawful basis at application stage, and
  the step keeps only the categories the applicant chooses. Existing notes are deleted with the column (the
  categories are kept); criminal records are asked about at the vetting stage, in the self-declaration.

Revision ID: 0009_safer_recruitment
Revises: 0014_readiness
Create Date: 2026-12-01 23:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_safer_recruitment'
down_revision = '0014_readiness'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch table copy: copying would trip the foreign keys other tables hold.
    op.add_column('dbs_checks', sa.Column('join_route', sa.Enum('certificate', 'application', name='dbs_join_route',
                                                                native_enum=False, length=12), nullable=True))
    op.add_column('dbs_checks', sa.Column('renews_on', sa.Date(), nullable=True))
    op.add_column('dbs_checks', sa.Column('consent_withdrawn_on', sa.Date(), nullable=True))
    op.add_column('dbs_decisions', sa.Column('conditions', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('dbs_decisions', sa.Column('needs_confirmation', sa.Boolean(), server_default=sa.false(),
                                             nullable=False))
    op.create_table(
        'dbs_decision_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['decision_id'], ['dbs_decisions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('decision_id'),
    )
    op.create_table(
        'identity_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('route', sa.Enum('route_1', 'route_2', 'route_3', name='id_route', native_enum=False, length=10),
                  nullable=False),
        sa.Column('documents', sa.JSON(), nullable=False),
        sa.Column('names_confirmed', sa.Boolean(), nullable=False),
        sa.Column('addresses_confirmed', sa.Boolean(), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_identity_checks_volunteer_id', 'identity_checks', ['volunteer_id'])
    op.create_table(
        'police_vetting_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('police_vetting_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('name', 'address', 'household', 'relationship', 'finances', 'police_contact', 'something_else',
                                  name='nppv_change_kind', native_enum=False, length=20), nullable=False),
        sa.Column('reported_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_on', sa.Date(), nullable=True),
        sa.Column('review_outcome', sa.Enum('continues', 'ended', name='nppv_review_outcome', native_enum=False,
                                            length=10), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['police_vetting_id'], ['police_vettings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_police_vetting_changes_police_vetting_id', 'police_vetting_changes', ['police_vetting_id'])
    op.create_table(
        'self_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('made_on', sa.Date(), nullable=False),
        sa.Column('has_something', sa.Boolean(), nullable=False),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('details_purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_self_declarations_volunteer_id', 'self_declarations', ['volunteer_id'])
    op.add_column('applications', sa.Column('notes_purged_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('applications', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'application_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('audit_event_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['audit_event_id'], ['audit_events.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('audit_event_id'),
    )
    op.create_index('ix_application_notes_application_id', 'application_notes', ['application_id'])
    _copy_step_notes()
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+ does it in place, no table copy).
    op.drop_column('applications', 'lived_experience_note')


def _copy_step_notes():
    """Notes and withdrawal reasons written with application steps were kept in audit details; copy them
    beside, where the purge can reach them (the audit rows themselves are append-only)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT a.id, a.object_id, a.action, a.details, a.occurred_at FROM audit_events a JOIN applications p "
        "ON p.id = a.object_id WHERE a.object_type = 'Application'")).all()
    notes = []
    for event_id, application_id, action, details, occurred_at in rows:
        details = json.loads(details) if isinstance(details, str) else (details or {})
        # A decline's note is on the application already; a withdrawal's reason is the applicant's own words.
        text = (details.get("reason") if action == "application.withdraw" else
                None if action == "application.decline" else details.get("note"))
        if text:
            notes.append({"application_id": application_id, "audit_event_id": event_id, "text": text,
                          "created_at": occurred_at})
    if notes:
        table = sa.table('application_notes', sa.column('application_id'), sa.column('audit_event_id'),
                         sa.column('text'), sa.column('created_at'))
        op.bulk_insert(table, notes)


def downgrade():
    op.drop_index('ix_application_notes_application_id', table_name='application_notes')
    op.drop_table('application_notes')
    op.drop_column('applications', 'anonymised_at')
    op.drop_column('applications', 'notes_purged_at')
    op.add_column('applications', sa.Column('lived_experience_note', sa.Text(), nullable=True))  # the notes are gone
    op.drop_index('ix_self_declarations_volunteer_id', table_name='self_declarations')
    op.drop_table('self_declarations')
    op.drop_index('ix_police_vetting_changes_police_vetting_id', table_name='police_vetting_changes')
    op.drop_table('police_vetting_changes')
    op.drop_index('ix_identity_checks_volunteer_id', table_name='identity_checks')
    op.drop_table('identity_checks')
    op.drop_table('dbs_decision_confirmations')
    # Dropping columns on SQLite 3.35+ is a plain ALTER TABLE ... DROP COLUMN, no table copy.
    op.drop_column('dbs_decisions', 'needs_confirmation')
    op.drop_column('dbs_decisions', 'conditions')
    op.drop_column('dbs_checks', 'consent_withdrawn_on')
    op.drop_column('dbs_checks', 'renews_on')
    op.drop_column('dbs_checks', 'join_route')
