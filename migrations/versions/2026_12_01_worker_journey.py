"""Membership applications: the fields a return flags, the void of a misused ID number, booth recovery codes

Revision ID: 2026_12_01_worker_journey
Revises: 2026_12_01_idempotency_key
Create Date: 2026-12-01 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2026_12_01_worker_journey'
down_revision = '2026_12_01_idempotency_key'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_fields', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recovery_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('recovery_code_expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.drop_column('recovery_code_expires_at')
        batch_op.drop_column('recovery_code_hash')
        batch_op.drop_column('voided_at')
        batch_op.drop_column('returned_fields')
