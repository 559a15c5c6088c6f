"""The audit trail: one helper so every sensitive action is written the same way."""

from app.extensions import db
from app.models import AuditLog, User


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    detail: dict | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits it with the change)."""
    entry = AuditLog(
        user_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
        ip=ip,
    )
    db.session.add(entry)
    return entry
