"""The Idempotency-Key becomes a column of the membership application (one INSERT per join)

Revision ID: 2026_12_01_idempotency_key
Revises: 2026_12_01_tally_undo
Create Date: 2026-12-01 21:45:00

A key only ever named the application its first request created, so it moves onto that row, unique per
worker; idempotency_records is copied over and dropped.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "2026_12_01_idempotency_key"
down_revision = "2026_12_01_tally_undo"
branch_labels = None
depends_on = None

applications = sa.table(
    "membership_applications", sa.column("id", sa.Integer), sa.column("idempotency_key", sa.String)
)


def upgrade():
    with op.batch_alter_table("membership_applications") as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=80), nullable=True))
        batch_op.create_index(
            "uq_membership_applications_worker_key", ["worker_id", "idempotency_key"], unique=True
        )
    bind = op.get_bind()
    records = bind.execute(sa.text("SELECT key, response_body FROM idempotency_records")).fetchall()
    if records:  # one executemany (pipelined by psycopg), not a round trip per record
        bind.execute(
            applications.update().where(applications.c.id == sa.bindparam("application_id"))
            .values(idempotency_key=sa.bindparam("key")),
            [{"application_id": json.loads(body)["membership_application_id"], "key": key} for key, body in records],
        )
    op.drop_table("idempotency_records")


def downgrade():
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_idempotency_records_worker_id_workers"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("worker_id", "key", name="uq_idempotency_records_worker_key"),
    )
    op.execute(
        "INSERT INTO idempotency_records (worker_id, key, endpoint, response_status, response_body, created_at) "
        "SELECT worker_id, idempotency_key, 'membership_applications.create', 201, "
        "'{\"membership_application_id\": ' || id || '}', created_at "
        "FROM membership_applications WHERE idempotency_key IS NOT NULL"
    )
    with op.batch_alter_table("membership_applications") as batch_op:
        batch_op.drop_index("uq_membership_applications_worker_key")
        batch_op.drop_column("idempotency_key")
