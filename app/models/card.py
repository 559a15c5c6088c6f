"""互助服务卡 (京卡) applications: only for members-to-be, one per person."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.application import MembershipApplication
from app.models.base import TimestampMixin, enum_column
from app.models.meeting import Booth, Meeting, Venue
from app.models.org import Org
from app.models.worker import Worker


class CardStatus(enum.Enum):
    PENDING = "pending"
    SENT_TO_BANK = "sent_to_bank"
    ISSUED = "issued"
    REJECTED = "rejected"


class CardDelivery(enum.Enum):
    ONSITE = "onsite"
    BRANCH = "branch"


CARD_STATUS_LABELS = {"pending": "待报送", "sent_to_bank": "已报送银行", "issued": "已发卡", "rejected": "未通过"}
# What the worker reads (「待报送」 is the card desk's word).
CARD_WORKER_TEXTS = {
    "pending": "已受理，工会将统一报送银行制卡",
    "sent_to_bank": "已报送银行，正在制卡",
    "issued": "已发卡",
    "rejected": "未通过",
}
HELD_CARD_SQL = "status <> 'rejected'"


class MutualAidCardApplication(TimestampMixin, db.Model):
    __tablename__ = "mutual_aid_card_applications"
    __table_args__ = (
        # Someone who holds (or is getting) a card cannot apply again; a rejected one may.
        Index(
            "uq_mutual_aid_card_applications_person",
            "id_blind_index",
            unique=True,
            postgresql_where=text(HELD_CARD_SQL),
            sqlite_where=text(HELD_CARD_SQL),
        ),
        # The card desk pages newest first (or oldest), the district's and a town's, by status or all.
        Index("ix_mutual_aid_card_applications_status_id", "status", "id"),
        Index("ix_mutual_aid_card_applications_org_id", "host_org_id", "id"),
        Index("ix_mutual_aid_card_applications_org_status_id", "host_org_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)  # None once purged
    membership_application_id: Mapped[int] = mapped_column(ForeignKey("membership_applications.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id"), index=True)
    host_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # indexed first in the desk's indexes
    id_blind_index: Mapped[str | None] = mapped_column(String(64))  # None once purged
    delivery: Mapped[CardDelivery] = mapped_column(enum_column(CardDelivery, "card_delivery"))
    branch: Mapped[str | None] = mapped_column(String(100))
    consent: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[CardStatus] = mapped_column(
        enum_column(CardStatus, "card_status"), default=CardStatus.PENDING
    )
    decision_reason: Mapped[str | None] = mapped_column(String(200))
    sent_to_bank_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    worker: Mapped[Worker] = relationship()
    membership_application: Mapped[MembershipApplication] = relationship()
    meeting: Mapped[Meeting] = relationship()
    venue: Mapped[Venue] = relationship()
    booth: Mapped[Booth | None] = relationship()
    host_org: Mapped[Org] = relationship()

    @property
    def status_label(self) -> str:
        return CARD_STATUS_LABELS[self.status.value]

    @property
    def status_text(self) -> str:
        return CARD_WORKER_TEXTS[self.status.value]
