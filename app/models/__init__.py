"""Every aggregate, imported so that Alembic and the app see the whole schema."""

from app.models.application import ApplicationMove, ApplicationStatus, MembershipApplication
from app.models.audit import AuditLog
from app.models.card import CardDelivery, CardStatus, MutualAidCardApplication
from app.models.ledger import ContactRecord, Enterprise
from app.models.meeting import (
    Booth,
    BoothKind,
    BoothPass,
    DisplayLink,
    EntryCode,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Venue,
    VenueRole,
    WxaCodeImage,
)
from app.models.member_number import MemberNumberSequence
from app.models.org import Org, OrgKind
from app.models.staff import Role, User
from app.models.tally import Tally, TallyKind
from app.models.worker import Scan, Worker

__all__ = [
    "ApplicationMove",
    "ApplicationStatus",
    "AuditLog",
    "Booth",
    "BoothKind",
    "BoothPass",
    "CardDelivery",
    "CardStatus",
    "ContactRecord",
    "DisplayLink",
    "Enterprise",
    "EntryCode",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "MemberNumberSequence",
    "MembershipApplication",
    "MutualAidCardApplication",
    "Org",
    "OrgKind",
    "Role",
    "Scan",
    "Tally",
    "TallyKind",
    "User",
    "Venue",
    "VenueRole",
    "Worker",
    "WxaCodeImage",
]
