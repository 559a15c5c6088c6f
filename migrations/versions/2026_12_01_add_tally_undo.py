"""Tallies: undoes_id, so a booth tap can be undone by a compensating row (negative quantity)

Revision ID: 2026_12_01_tally_undo
Revises: b7636f7e5f21
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2026_12_01_tally_undo'
down_revision = 'b7636f7e5f21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tallies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undoes_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_tallies_undoes_id'), ['undoes_id'])
        batch_op.create_foreign_key(batch_op.f('fk_tallies_undoes_id_tallies'), 'tallies', ['undoes_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_tallies_quantity_positive'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_tallies_quantity_sign'),
            '(undoes_id IS NULL AND quantity > 0) OR (undoes_id IS NOT NULL AND quantity < 0)',
        )


def downgrade():
    op.execute('DELETE FROM tallies WHERE undoes_id IS NOT NULL')
    with op.batch_alter_table('tallies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_tallies_quantity_sign'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_tallies_quantity_positive'), 'quantity > 0')
        batch_op.drop_constraint(batch_op.f('fk_tallies_undoes_id_tallies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_tallies_undoes_id'), type_='unique')
        batch_op.drop_column('undoes_id')
