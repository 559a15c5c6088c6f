"""入会申请: a worker's membership application, PII encrypted, one live per ID number."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, enum_column, utcnow
from app.models.meeting import Booth, EntryCode, Meeting, Venue
from app.models.org import Org
from app.models.worker import Worker


class ApplicationStatus(enum.Enum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


LIVE_STATUSES = ("submitted", "returned", "approved")
LIVE_STATUS_SQL = "status IN ('submitted', 'returned', 'approved')"
APPLICATION_STATUS_LABELS = {
    "submitted": "已提交，待审核",
    "returned": "已退回，请修改后重新提交",
    "approved": "已通过",
    "rejected": "未通过",
    "withdrawn": "已撤回",
}
VOIDED_LABEL = "已作废（冒用身份证号）"
# What the worker reads: their words, not the review desk's.
WORKER_STATUS_TEXTS = {
    "submitted": "已提交，等待工会审核",
    "returned": "需要修改后重新提交",
    "approved": "已入会",
    "rejected": "未通过审核",
    "withdrawn": "已撤回",
}
VOIDED_WORKER_TEXT = "已作废"
# What the phone an application was recovered away from reads instead of it (issue 22).
MOVED_AWAY_STATUS = "moved_away"
MOVED_AWAY_TEXT = "已转到其他手机"


class MembershipApplication(TimestampMixin, db.Model):
    __tablename__ = "membership_applications"
    __table_args__ = (
        # One live application per person, true under concurrency: the database refuses the second.
        Index(
            "uq_membership_applications_live_id",
            "id_blind_index",
            unique=True,
            postgresql_where=text(LIVE_STATUS_SQL),
            sqlite_where=text(LIVE_STATUS_SQL),
        ),
        # A worker's Idempotency-Key names one application: a retry is refused by this index and replayed.
        Index("uq_membership_applications_worker_key", "worker_id", "idempotency_key", unique=True),
        # The overview counts a year's approvals by month: a range read of this index, not of every approval.
        Index("ix_membership_applications_status_decided", "status", "decided_at"),
        # The review queue pages in submission order (either way), the district's and a town's, by status or all.
        Index("ix_membership_applications_submitted", "submitted_at", "id"),
        Index("ix_membership_applications_status_submitted", "status", "submitted_at", "id"),
        Index("ix_membership_applications_org_submitted", "host_org_id", "submitted_at", "id"),
        Index("ix_membership_applications_org_status_submitted", "host_org_id", "status", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)  # None once purged
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id"), index=True)
    entry_code_id: Mapped[int | None] = mapped_column(ForeignKey("entry_codes.id", ondelete="SET NULL"))
    host_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # indexed first in the queue's indexes
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"), default=ApplicationStatus.SUBMITTED
    )
    # PII: Fernet ciphertext, NULL once purged; the blind index is HMAC(PII_HMAC_KEY, id number).
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    mobile_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_blind_index: Mapped[str | None] = mapped_column(String(64), index=True)
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    employer: Mapped[str | None] = mapped_column(String(100))
    employer_credit_code: Mapped[str | None] = mapped_column(String(18))
    industry: Mapped[str | None] = mapped_column(String(40))
    hukou_type: Mapped[str | None] = mapped_column(String(20))
    new_form_job: Mapped[str | None] = mapped_column(String(20), index=True)
    education: Mapped[str | None] = mapped_column(String(20))
    political_status: Mapped[str | None] = mapped_column(String(20))
    employment_status: Mapped[str | None] = mapped_column(String(20))
    skill_level: Mapped[str | None] = mapped_column(String(20))
    residence: Mapped[str | None] = mapped_column(String(200))
    is_migrant_worker: Mapped[bool | None] = mapped_column(Boolean)
    id_valid_until: Mapped[date | None] = mapped_column(Date)
    id_valid_long_term: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean)
    consent_version: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    member_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    decision_reason: Mapped[str | None] = mapped_column(String(200))
    # The request field names a reviewer flagged when returning it; cleared on resubmission.
    returned_fields: Mapped[list | None] = mapped_column(JSON)
    # Set when staff voided it as filed with someone else's ID number (冒用身份证号); status is then withdrawn.
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A one-time code booth staff give the person in front of them to move it to their phone: HMAC, expiry.
    recovery_code_hash: Mapped[str | None] = mapped_column(String(64))
    recovery_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The client's key of the submission that created this application (NULL when it sent none).
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    # The client's key of the correction (PATCH) that last resubmitted it: a retry of it is answered, not applied.
    correction_key: Mapped[str | None] = mapped_column(String(80))

    worker: Mapped[Worker] = relationship()
    meeting: Mapped[Meeting] = relationship()
    venue: Mapped[Venue] = relationship()
    booth: Mapped[Booth | None] = relationship()
    entry_code: Mapped[EntryCode | None] = relationship()
    host_org: Mapped[Org] = relationship()

    # Where it was made, by name, for the join's answer: the join path knows the names from its entry code
    # (enrolment.create_application) and loads none of these rows; elsewhere they come through the relations.
    known_place = None

    @property
    def meeting_title(self) -> str:
        return self.known_place.meeting_title if self.known_place else self.meeting.title

    @property
    def venue_name(self) -> str:
        return self.known_place.venue_name if self.known_place else self.venue.place_name

    @property
    def host_org_name(self) -> str:
        return self.known_place.host_org_name if self.known_place else self.host_org.name

    @property
    def reviewing_org(self) -> dict:
        """The union that reviews it, as the worker reads its name (仁和镇总工会)."""
        return {"name": self.known_place.host_org_union_name if self.known_place else self.host_org.union_name}

    @property
    def is_live(self) -> bool:
        return self.status.value in LIVE_STATUSES

    @property
    def status_label(self) -> str:
        return VOIDED_LABEL if self.voided_at else APPLICATION_STATUS_LABELS[self.status.value]

    @property
    def return_reason(self) -> str | None:
        """The reviewer's reason, while the application waits for the worker's correction."""
        return self.decision_reason if self.status is ApplicationStatus.RETURNED else None

    @property
    def flagged_fields(self) -> list[str]:
        return list(self.returned_fields or []) if self.status is ApplicationStatus.RETURNED else []

    @property
    def id_valid_until_answer(self) -> str | None:
        """The form's answer again: a date, "long_term", or nothing."""
        if self.id_valid_long_term:
            return "long_term"
        return self.id_valid_until.isoformat() if self.id_valid_until else None

    @property
    def status_text(self) -> str:
        return VOIDED_WORKER_TEXT if self.voided_at else WORKER_STATUS_TEXTS[self.status.value]


class ApplicationMove(db.Model):
    """找回我的申请 moved an application off a worker's phone: that phone keeps a read-only line of it.

    Only the fact, the time and the previous holder: what the line shows is read from the application itself,
    masked, and a move also holds withdrawal and correction for a day (app/services/intake/moves.py).
    """

    __tablename__ = "application_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("membership_applications.id"), index=True)
    from_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"), index=True)
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[MembershipApplication] = relationship()

    status = MOVED_AWAY_STATUS
    status_text = MOVED_AWAY_TEXT
