"""Purge unlinks a person: applications and cards may lose their worker, cards their ID blind index

Revision ID: 2026_12_01_purge_unlinks
Revises: 2026_12_01_tokens_revoked_at
Create Date: 2026-12-01 22:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2026_12_01_purge_unlinks'
down_revision = '2026_12_01_tokens_revoked_at'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.alter_column('worker_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('mutual_aid_card_applications', schema=None) as batch_op:
        batch_op.alter_column('worker_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('id_blind_index', existing_type=sa.String(length=64), nullable=True)


def downgrade():
    op.execute("DELETE FROM mutual_aid_card_applications WHERE worker_id IS NULL OR id_blind_index IS NULL")
    with op.batch_alter_table('mutual_aid_card_applications', schema=None) as batch_op:
        batch_op.alter_column('id_blind_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('worker_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.alter_column('worker_id', existing_type=sa.Integer(), nullable=False)
