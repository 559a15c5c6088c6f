"""An application moved to another phone (找回我的申请): the line the old phone keeps, and the day's hold after it.

A move is rare and may be an attack (issue 22): the previous holder still sees, read-only and masked, that the
application went to another phone and when, and for a day nobody can withdraw or correct it — time for the
person to notice, ask their union and have it moved back.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.errors import AppError
from app.extensions import db
from app.models import ApplicationMove, MembershipApplication, Worker
from app.models.base import utcnow
from app.services.live.intake_sql import as_utc

MOVE_HOLD = timedelta(hours=24)
HELD = "这份申请刚刚转到这部手机，24小时内不能撤回或修改。如有疑问，请联系审核工会。"


def record(application: MembershipApplication, from_worker_id: int | None) -> None:
    """Remember that the application left this worker (in the caller's transaction)."""
    db.session.add(ApplicationMove(application_id=application.id, from_worker_id=from_worker_id, moved_at=utcnow()))


def last_moved_at(application: MembershipApplication) -> datetime | None:
    """When the application last came to its holder from another phone, or None if it never moved."""
    last = db.session.scalar(
        select(func.max(ApplicationMove.moved_at)).where(ApplicationMove.application_id == application.id)
    )
    return as_utc(last) if last is not None else None


def hold_after_move(application: MembershipApplication) -> None:
    """409 while the application's last move is less than a day old."""
    last = last_moved_at(application)
    if last is not None and last > utcnow() - MOVE_HOLD:
        raise AppError("recently_moved", HELD, 409)


def moved_away_from(worker: Worker) -> list[ApplicationMove]:
    """The worker's former applications now held by another phone, newest move first, one line each."""
    query = (
        select(ApplicationMove)
        .join(ApplicationMove.application)
        .where(
            ApplicationMove.from_worker_id == worker.id,
            # Moved back since, or purged (no holder at all): nothing to show.
            MembershipApplication.worker_id != worker.id,
            MembershipApplication.purged_at.is_(None),
        )
        .order_by(ApplicationMove.id.desc())
        .options(
            selectinload(ApplicationMove.application).selectinload(MembershipApplication.host_org),
            selectinload(ApplicationMove.application).selectinload(MembershipApplication.meeting),
        )
    )
    latest = {}
    for move in db.session.scalars(query):
        latest.setdefault(move.application_id, move)
    return list(latest.values())
