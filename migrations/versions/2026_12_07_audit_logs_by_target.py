"""Audit rows by their target: purge redacts a batch of applications' rows without reading the whole trail

Revision ID: 2026_12_07_audit_logs_by_target
Revises: 2026_12_06_district_standup
Create Date: 2026-12-07 10:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '2026_12_07_audit_logs_by_target'
down_revision = '2026_12_06_district_standup'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.create_index('ix_audit_logs_target', ['target_type', 'target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_logs_target')
