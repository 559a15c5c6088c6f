"""Booth staff tallies: materials handed out, consultations, legal advice, 建会意向."""

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, enum_column
from app.models.meeting import Booth


class TallyKind(enum.Enum):
    MATERIALS = "materials"
    CONSULTATION = "consultation"
    LEGAL = "legal"
    UNION_INTENT = "union_intent"


class Tally(TimestampMixin, db.Model):
    __tablename__ = "tallies"
    # A tap counts up; its 撤销 is a compensating row of the same kind counting the same quantity down.
    __table_args__ = (
        CheckConstraint(
            "(undoes_id IS NULL AND quantity > 0) OR (undoes_id IS NOT NULL AND quantity < 0)",
            name="quantity_sign",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A retried tap carries the same client-generated key; the database counts it once.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id"), index=True)
    kind: Mapped[TallyKind] = mapped_column(enum_column(TallyKind, "tally_kind"))
    quantity: Mapped[int] = mapped_column(default=1)
    firm_name: Mapped[str | None] = mapped_column(String(120))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Unique: a tap is undone at most once, however often the 撤销 is retried.
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("tallies.id"), unique=True)

    booth: Mapped[Booth] = relationship()
