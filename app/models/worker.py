"""Workers (WeChat users or H5 visitors) and their scans."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, utcnow


class Worker(TimestampMixin, db.Model):
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    h5_visitor_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # WeChat's session_key stays on the server (encrypted); the client only gets our own token.
    session_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bearer tokens issued before this moment are refused (intake.workers.revoke_tokens).
    tokens_revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class Scan(db.Model):
    """One open of an entry code by a worker; unique visitors are counted from these rows."""

    __tablename__ = "scans"
    # Purge walks a meeting's visitors in key order and re-keys each visitor's scans by this pair.
    __table_args__ = (Index("ix_scans_meeting_visitor", "meeting_id", "visitor_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"), index=True)
    entry_code_id: Mapped[int] = mapped_column(ForeignKey("entry_codes.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # Retention purge replaces worker_id with NULL but keeps a per-meeting visitor key for counts.
    visitor_key: Mapped[str] = mapped_column(String(64))

    worker: Mapped[Worker | None] = relationship()
