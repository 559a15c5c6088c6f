"""Scans by meeting and visitor key: purge walks a meeting's visitors in key order and re-keys each one's scans

Revision ID: 2026_12_07_scans_by_visitor
Revises: 2026_12_06_application_moves
Create Date: 2026-12-07 12:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '2026_12_07_scans_by_visitor'
down_revision = '2026_12_06_application_moves'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index('ix_scans_meeting_visitor', ['meeting_id', 'visitor_key'], unique=False)


def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index('ix_scans_meeting_visitor')
