"""The 沟通会 aggregate: Meeting, its Venues and Booths, their EntryCodes and display links."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.extensions import db
from app.models.base import TimestampMixin, enum_column
from app.models.org import Org


class MeetingKind(enum.Enum):
    DISTRICT_DAY = "district_day"
    TOWN = "town"
    ENTERPRISE = "enterprise"


class MeetingStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class VenueRole(enum.Enum):
    MAIN = "main"
    SUB = "sub"


class BoothKind(enum.Enum):
    FOUND_UNION = "found_union"
    JOIN = "join"
    LEGAL = "legal"
    CARD = "card"
    GENERAL = "general"


MEETING_KIND_LABELS = {"district_day": "全区沟通会日", "town": "镇街沟通会", "enterprise": "企业沟通会"}
MEETING_STATUS_LABELS = {"draft": "筹备中", "open": "进行中", "closed": "已结束", "archived": "已归档"}
VENUE_ROLE_LABELS = {"main": "主会场", "sub": "分会场"}
BOOTH_KIND_LABELS = {
    "found_union": "建会岗",
    "join": "入会岗",
    "legal": "法律咨询岗",
    "card": "互助服务卡岗",
    "general": "综合服务岗",
}


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "meetings"
    # The meeting list pages newest first (a year at a time too); a town finds the meetings it organises.
    __table_args__ = (Index("ix_meetings_held_on_id", "held_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.DRAFT
    )
    organiser_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # How many venues it has, when the list's query asks for it (meetings.meeting_page).
    venue_count: Mapped[int | None] = query_expression()

    organiser_org: Mapped[Org] = relationship()
    venues: Mapped[list["Venue"]] = relationship(
        back_populates="meeting", order_by="Venue.role, Venue.id", cascade="all, delete-orphan"
    )

    @property
    def accepts_intake(self) -> bool:
        return self.status is MeetingStatus.OPEN

    @property
    def kind_label(self) -> str:
        return MEETING_KIND_LABELS[self.kind.value]

    @property
    def status_label(self) -> str:
        return MEETING_STATUS_LABELS[self.status.value]


def default_venue_name(context) -> str:
    """A venue made without a name of its own (a form left blank, an older caller) is named by its place."""
    return context.get_current_parameters()["place_name"][:60]


class Venue(TimestampMixin, db.Model):
    __tablename__ = "venues"
    # The name is how a set-up sheet finds the venue again: re-importing it updates instead of duplicating.
    __table_args__ = (UniqueConstraint("meeting_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60), default=lambda context: default_venue_name(context))
    role: Mapped[VenueRole] = mapped_column(enum_column(VenueRole, "venue_role"))
    host_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    place_name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="venues")
    host_org: Mapped[Org] = relationship()
    booths: Mapped[list["Booth"]] = relationship(
        back_populates="venue", order_by="Booth.id", cascade="all, delete-orphan"
    )

    @property
    def role_label(self) -> str:
        return VENUE_ROLE_LABELS[self.role.value]


class Booth(TimestampMixin, db.Model):
    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("venue_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BoothKind] = mapped_column(enum_column(BoothKind, "booth_kind"))
    name: Mapped[str] = mapped_column(String(60))

    venue: Mapped[Venue] = relationship(back_populates="booths")

    @property
    def kind_label(self) -> str:
        return BOOTH_KIND_LABELS[self.kind.value]


class EntryCode(TimestampMixin, db.Model):
    """An opaque, revocable code printed as a QR for a booth (or a venue when booth_id is NULL)."""

    __tablename__ = "entry_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    meeting: Mapped[Meeting] = relationship()
    venue: Mapped[Venue] = relationship()
    booth: Mapped[Booth | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DisplayLink(TimestampMixin, db.Model):
    """A revocable read-only link for the big screen (/display/<token>)."""

    __tablename__ = "display_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    # A venue's own TV (the sheet of every venue's link); NULL for a link issued for the whole meeting.
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    meeting: Mapped[Meeting] = relationship()
    venue: Mapped[Venue | None] = relationship()


class BoothPass(TimestampMixin, db.Model):
    """A per-booth link (or its QR) that lets a volunteer without an account into one booth's console.

    Behind it stands a guest account assigned to that booth alone, so every tally is attributed to the link.
    It works only while the meeting is open, and revoking it ends the guest's sessions at once.
    """

    __tablename__ = "booth_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    guest_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    booth: Mapped[Booth] = relationship()
    guest: Mapped["User"] = relationship(foreign_keys=[guest_user_id])  # noqa: F821 (app.models.staff)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WxaCodeImage(TimestampMixin, db.Model):
    """A WeChat mini-program code fetched once per entry code and kept (see docs/decisions.md)."""

    __tablename__ = "wxa_code_images"

    entry_code_id: Mapped[int] = mapped_column(ForeignKey("entry_codes.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[str] = mapped_column(String(120))
    png: Mapped[bytes] = mapped_column(LargeBinary)
