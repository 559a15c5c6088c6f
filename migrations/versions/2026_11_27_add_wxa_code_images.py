"""Add wxa_code_images: WeChat mini-program codes fetched once per entry code

Revision ID: b7636f7e5f21
Revises: 535010b59349
Create Date: 2026-11-27 13:25:42.764684

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7636f7e5f21'
down_revision = '535010b59349'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wxa_code_images',
    sa.Column('entry_code_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=120), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_code_id'], ['entry_codes.id'], name=op.f('fk_wxa_code_images_entry_code_id_entry_codes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_code_id', name=op.f('pk_wxa_code_images'))
    )


def downgrade():
    op.drop_table('wxa_code_images')
