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


PLACEHOLDER_VISITOR = "purged-before-downgrade"


def downgrade():
    # The schema below this revision has no room for a purged row (no worker, a card with no ID key). The
    # rows stay, so the counts they carry survive: they go to one placeholder worker (who holds no data and
    # can never sign in), without the Idempotency-Key nobody will retry, and each card gets a key of its own
    # that no ID number hashes to.
    bind = op.get_bind()
    orphaned = bind.execute(sa.text(
        "SELECT 1 FROM membership_applications WHERE worker_id IS NULL "
        "UNION ALL SELECT 1 FROM mutual_aid_card_applications WHERE worker_id IS NULL"
    )).first()
    if orphaned:
        placeholder = placeholder_worker(bind)
        op.execute(sa.text(
            "UPDATE membership_applications SET worker_id = :worker, idempotency_key = NULL WHERE worker_id IS NULL"
        ).bindparams(worker=placeholder))
        op.execute(sa.text(
            "UPDATE mutual_aid_card_applications SET worker_id = :worker WHERE worker_id IS NULL"
        ).bindparams(worker=placeholder))
    op.execute("UPDATE mutual_aid_card_applications SET id_blind_index = 'purged:' || id WHERE id_blind_index IS NULL")
    with op.batch_alter_table('mutual_aid_card_applications', schema=None) as batch_op:
        batch_op.alter_column('id_blind_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('worker_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.alter_column('worker_id', existing_type=sa.Integer(), nullable=False)


def placeholder_worker(bind) -> int:
    find = sa.text("SELECT id FROM workers WHERE h5_visitor_id = :visitor").bindparams(visitor=PLACEHOLDER_VISITOR)
    existing = bind.execute(find).scalar()
    if existing is not None:
        return existing
    bind.execute(sa.text("INSERT INTO workers (h5_visitor_id, created_at) VALUES (:visitor, CURRENT_TIMESTAMP)")
                 .bindparams(visitor=PLACEHOLDER_VISITOR))
    return bind.execute(find).scalar()
