"""District stand-up: retired unions, first-sign-in passwords, venue names, unique booth names, per-venue
display links and per-booth links for volunteers

Revision ID: 2026_12_06_district_standup
Revises: 2026_12_01_purge_unlinks
Create Date: 2026-12-06 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2026_12_06_district_standup'
down_revision = '2026_12_01_purge_unlinks'
branch_labels = None
depends_on = None

# Rows made before names had to be unique: the second and later of a name get their id appended.
NAME_VENUES = """
UPDATE venues SET name = CASE
    WHEN EXISTS (SELECT 1 FROM venues AS earlier WHERE earlier.meeting_id = venues.meeting_id
                 AND earlier.place_name = venues.place_name AND earlier.id < venues.id)
    THEN substr(place_name, 1, 48) || '-' || CAST(id AS VARCHAR(11))
    ELSE substr(place_name, 1, 60) END
"""
RENAME_TWIN_BOOTHS = """
UPDATE booths SET name = substr(name, 1, 48) || '-' || CAST(id AS VARCHAR(11))
WHERE EXISTS (SELECT 1 FROM booths AS earlier WHERE earlier.venue_id = booths.venue_id
              AND earlier.name = booths.name AND earlier.id < booths.id)
"""


def upgrade():
    op.create_table('booth_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('guest_user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booth_id'], ['booths.id'], name=op.f('fk_booth_passes_booth_id_booths'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guest_user_id'], ['users.id'], name=op.f('fk_booth_passes_guest_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_booth_passes_issued_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booth_passes')),
    sa.UniqueConstraint('guest_user_id', name=op.f('uq_booth_passes_guest_user_id')),
    sa.UniqueConstraint('token', name=op.f('uq_booth_passes_token'))
    )
    with op.batch_alter_table('booth_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booth_passes_booth_id'), ['booth_id'], unique=False)

    op.execute(RENAME_TWIN_BOOTHS)
    with op.batch_alter_table('booths', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_booths_venue_id'), ['venue_id', 'name'])

    with op.batch_alter_table('display_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_display_links_venue_id'), ['venue_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_display_links_venue_id_venues'), 'venues', ['venue_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('orgs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('mobile', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('guest', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=60), nullable=True))
    op.execute(NAME_VENUES)
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_venues_meeting_id'), ['meeting_id', 'name'])


def downgrade():
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_venues_meeting_id'), type_='unique')
        batch_op.drop_column('name')

    # A guest account (behind a per-booth link) keeps the tallies made through it, but can never sign in.
    op.execute(sa.text('UPDATE users SET active = :no WHERE guest = :yes').bindparams(no=False, yes=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('guest')
        batch_op.drop_column('mobile')
        batch_op.drop_column('must_change_password')

    with op.batch_alter_table('orgs', schema=None) as batch_op:
        batch_op.drop_column('retired_at')

    with op.batch_alter_table('display_links', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_display_links_venue_id_venues'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_display_links_venue_id'))
        batch_op.drop_column('venue_id')

    with op.batch_alter_table('booths', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_booths_venue_id'), type_='unique')

    with op.batch_alter_table('booth_passes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booth_passes_booth_id'))
    op.drop_table('booth_passes')
