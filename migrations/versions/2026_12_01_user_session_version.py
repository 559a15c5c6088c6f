"""Users: session_version, so logout, a new password or deactivation ends every session of the user

Revision ID: 2026_12_01_session_version
Revises: 2026_12_01_worker_journey
Create Date: 2026-12-01 21:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2026_12_01_session_version'
down_revision = '2026_12_01_worker_journey'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
