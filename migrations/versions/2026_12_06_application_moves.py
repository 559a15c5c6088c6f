"""application_moves: the phone an application was recovered away from keeps a read-only line of it

Revision ID: 2026_12_06_application_moves
Revises: 2026_12_07_audit_logs_by_target
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2026_12_06_application_moves'
down_revision = '2026_12_07_audit_logs_by_target'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'application_moves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('from_worker_id', sa.Integer(), nullable=True),
        sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['membership_applications.id'],
                                name=op.f('fk_application_moves_application_id_membership_applications')),
        sa.ForeignKeyConstraint(['from_worker_id'], ['workers.id'], ondelete='SET NULL',
                                name=op.f('fk_application_moves_from_worker_id_workers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_moves')),
    )
    with op.batch_alter_table('application_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_moves_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_moves_from_worker_id'), ['from_worker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_moves_from_worker_id'))
        batch_op.drop_index(batch_op.f('ix_application_moves_application_id'))
    op.drop_table('application_moves')
