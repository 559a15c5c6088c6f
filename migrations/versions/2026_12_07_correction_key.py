"""A correction's Idempotency-Key on the membership application, so a retried PATCH is answered, not refused

Revision ID: 2026_12_07_correction_key
Revises: 2026_12_07_back_office_lists
Create Date: 2026-12-07 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_correction_key"
down_revision = "2026_12_07_back_office_lists"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("membership_applications") as batch_op:
        batch_op.add_column(sa.Column("correction_key", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("membership_applications") as batch_op:
        batch_op.drop_column("correction_key")
