"""Indexes for the review queue and the card desk, which page by keyset: applications in submission order and
cards by id, the district's (by status or all) and a town's (by status or all). Composite indexes replace their
one-column prefixes (host_org_id, status) on both tables.

Revision ID: 2026_12_07_back_office_lists
Revises: 2026_12_07_history_lists
Create Date: 2026-12-07 14:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '2026_12_07_back_office_lists'
down_revision = '2026_12_07_history_lists'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.create_index('ix_membership_applications_submitted', ['submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_membership_applications_status_submitted', ['status', 'submitted_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_membership_applications_org_submitted', ['host_org_id', 'submitted_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_membership_applications_org_status_submitted',
                              ['host_org_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_membership_applications_host_org_id'))
        batch_op.drop_index(batch_op.f('ix_membership_applications_status'))

    with op.batch_alter_table('mutual_aid_card_applications', schema=None) as batch_op:
        batch_op.create_index('ix_mutual_aid_card_applications_status_id', ['status', 'id'], unique=False)
        batch_op.create_index('ix_mutual_aid_card_applications_org_id', ['host_org_id', 'id'], unique=False)
        batch_op.create_index('ix_mutual_aid_card_applications_org_status_id', ['host_org_id', 'status', 'id'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_mutual_aid_card_applications_host_org_id'))
        batch_op.drop_index(batch_op.f('ix_mutual_aid_card_applications_status'))


def downgrade():
    with op.batch_alter_table('mutual_aid_card_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mutual_aid_card_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_mutual_aid_card_applications_host_org_id'), ['host_org_id'],
                              unique=False)
        batch_op.drop_index('ix_mutual_aid_card_applications_org_status_id')
        batch_op.drop_index('ix_mutual_aid_card_applications_org_id')
        batch_op.drop_index('ix_mutual_aid_card_applications_status_id')

    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_applications_host_org_id'), ['host_org_id'], unique=False)
        batch_op.drop_index('ix_membership_applications_org_status_submitted')
        batch_op.drop_index('ix_membership_applications_org_submitted')
        batch_op.drop_index('ix_membership_applications_status_submitted')
        batch_op.drop_index('ix_membership_applications_submitted')
