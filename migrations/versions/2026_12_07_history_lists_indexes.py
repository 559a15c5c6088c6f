"""Indexes for the lists that page by keyset: the ledger by name (a town's too) and a firm's contacts by day,
meetings newest first and by organiser, the audit trail by (created_at, id) whole, per action and per actor,
and the overview's year of approvals and of new unions. Composite indexes replace their one-column prefixes.

Revision ID: 2026_12_07_history_lists
Revises: 2026_12_07_scans_by_visitor
Create Date: 2026-12-07 13:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '2026_12_07_history_lists'
down_revision = '2026_12_07_scans_by_visitor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.create_index('ix_audit_logs_action_created_id', ['action', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_logs_created_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_logs_user_created_id', ['user_id', 'created_at', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_audit_logs_action'))
        batch_op.drop_index(batch_op.f('ix_audit_logs_user_id'))

    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.create_index('ix_contact_records_enterprise_day', ['enterprise_id', 'contacted_on', 'id'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_contact_records_enterprise_id'))

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_name_id', ['name', 'id'], unique=False)
        batch_op.create_index('ix_enterprises_town_name_id', ['town_org_id', 'name', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_union_founded_on'), ['union_founded_on'], unique=False)
        batch_op.drop_index(batch_op.f('ix_enterprises_town_org_id'))

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_held_on_id', ['held_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_organiser_org_id'), ['organiser_org_id'], unique=False)

    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.create_index('ix_membership_applications_status_decided', ['status', 'decided_at'], unique=False)


def downgrade():
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_applications_status_decided')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_organiser_org_id'))
        batch_op.drop_index('ix_meetings_held_on_id')

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_union_founded_on'))
        batch_op.drop_index('ix_enterprises_town_name_id')
        batch_op.drop_index('ix_enterprises_name_id')
        batch_op.create_index(batch_op.f('ix_enterprises_town_org_id'), ['town_org_id'], unique=False)

    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_records_enterprise_day')
        batch_op.create_index(batch_op.f('ix_contact_records_enterprise_id'), ['enterprise_id'], unique=False)

    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_logs_user_created_id')
        batch_op.drop_index('ix_audit_logs_created_id')
        batch_op.drop_index('ix_audit_logs_action_created_id')
        batch_op.create_index(batch_op.f('ix_audit_logs_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_logs_action'), ['action'], unique=False)
