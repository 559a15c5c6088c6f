"""Who did what to whom: reviews, PII reveals, exports, user changes."""

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin


class AuditLog(TimestampMixin, db.Model):
    __tablename__ = "audit_logs"
    # Purge finds the rows about a batch of applications by target (a year holds ~300,000 rows). The viewer
    # pages newest first by (created_at, id), over the whole trail, one action's or one actor's rows.
    __table_args__ = (
        Index("ix_audit_logs_target", "target_type", "target_id"),
        Index("ix_audit_logs_created_id", "created_at", "id"),
        Index("ix_audit_logs_action_created_id", "action", "created_at", "id"),
        Index("ix_audit_logs_user_created_id", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped["User | None"] = relationship("User")  # noqa: F821 — resolved by name, staff.py imports later
