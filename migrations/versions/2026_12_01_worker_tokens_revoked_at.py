"""workers.tokens_revoked_at: a worker's bearer tokens issued before it are refused

Revision ID: 2026_12_01_tokens_revoked_at
Revises: 2026_12_01_session_version
Create Date: 2026-12-01 22:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_01_tokens_revoked_at"
down_revision = "2026_12_01_session_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workers") as batch_op:
        batch_op.add_column(sa.Column("tokens_revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_workers_tokens_revoked_at"), ["tokens_revoked_at"], unique=False)


def downgrade():
    with op.batch_alter_table("workers") as batch_op:
        batch_op.drop_index(batch_op.f("ix_workers_tokens_revoked_at"))
        batch_op.drop_column("tokens_revoked_at")
