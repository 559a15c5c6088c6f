"""Factories for workers, membership and card applications, and ledger firms, built straight on the models.

They encrypt PII and compute the blind index through app.services.privacy exactly as intake does, and
hand out valid 身份证号 (GB 11643 checksum), so review/export/purge tests do not need the /mp/v1 API.
"""

import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApplicationStatus,
    BoothKind,
    CardDelivery,
    CardStatus,
    Enterprise,
    MeetingKind,
    MeetingStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Org,
    User,
    Venue,
    VenueRole,
    Worker,
)
from app.models.base import utcnow
from app.services import privacy
from app.services.setup import meetings
from app.services.setup.meetings import BoothFields, MeetingFields, VenueFields

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
SHUNYI_REGION = "110113"
_sequence = itertools.count(1)


def id_number(birth: date | None = None, serial: int | None = None, female: bool = False) -> str:
    """A valid 18-digit 身份证号, a new one per call; the order digit is odd for men, even for women."""
    serial = next(_sequence) if serial is None else serial
    # 500 order numbers per birthday: later serials move to the next day so numbers never repeat.
    birth = birth or date(1990, 5, 17) + timedelta(days=serial // 500)
    order = (serial * 2 + (0 if female else 1)) % 1000
    body = f"{SHUNYI_REGION}{birth:%Y%m%d}{order:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARS[total % 11]


def make_worker(openid: str | None = None) -> Worker:
    """A signed-in worker: committed, as login leaves it (a join writes through a connection of its own)."""
    worker = Worker(openid=openid or f"oid-factory-{next(_sequence)}")
    db.session.add(worker)
    db.session.commit()
    return worker


def make_application(
    venue: Venue,
    *,
    name: str = "张三丰",
    id_no: str | None = None,
    mobile: str = "13812345678",
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
    worker: Worker | None = None,
    submitted_at: datetime | None = None,
    **fields,
) -> MembershipApplication:
    """A committed application routed to the venue's host org; extra model fields pass through."""
    id_no = id_no or id_number()
    female = int(id_no[16]) % 2 == 0
    application = MembershipApplication(
        worker=worker or make_worker(),
        meeting_id=venue.meeting_id,
        venue=venue,
        host_org_id=venue.host_org_id,
        status=status,
        name_enc=privacy.encrypt(name),
        id_number_enc=privacy.encrypt(id_no),
        mobile_enc=privacy.encrypt(mobile),
        id_blind_index=privacy.blind_index(id_no),
        gender="女" if female else "男",
        birth_date=date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14])),
        consent=True,
        consent_version="2026-11",
        submitted_at=submitted_at or utcnow(),
        **{"employer": "北京顺义物流有限公司", "industry": "交通运输、仓储和邮政业", **fields},
    )
    db.session.add(application)
    db.session.commit()
    return application


def make_card(
    application: MembershipApplication,
    *,
    status: CardStatus = CardStatus.PENDING,
    delivery: CardDelivery = CardDelivery.ONSITE,
    branch: str | None = None,
) -> MutualAidCardApplication:
    card = MutualAidCardApplication(
        worker=application.worker,
        membership_application=application,
        meeting_id=application.meeting_id,
        venue_id=application.venue_id,
        host_org_id=application.host_org_id,
        id_blind_index=application.id_blind_index,
        delivery=delivery,
        branch=branch,
        consent=True,
        status=status,
    )
    db.session.add(card)
    db.session.commit()
    return card


def make_enterprise(town: Org, name: str, **fields) -> Enterprise:
    enterprise = Enterprise(name=name, town_org=town, **fields)
    db.session.add(enterprise)
    db.session.commit()
    return enterprise


def account(username: str) -> User:
    """A staff account by its username (the demo's: district, renhe, tianzhu, booth, viewer)."""
    return db.session.scalar(select(User).where(User.username == username))


def org_named(name: str) -> Org:
    return db.session.scalar(select(Org).where(Org.name == name))


@pytest.fixture
def renhe_meeting(seeded):
    """A town meeting organised and hosted by 仁和镇 alone, open, with one venue and its 入会岗 (and their codes)."""
    renhe = account("renhe")
    meeting = meetings.create_meeting(renhe, MeetingFields("仁和镇快递小哥沟通会", date(2026, 12, 9), MeetingKind.TOWN,
                                                           renhe.org_id))
    venue = meetings.add_venue(renhe, meeting, VenueFields(VenueRole.MAIN, renhe.org_id, "仁和镇某快递站", "仁和镇"))
    meetings.add_booth(renhe, venue, BoothFields(BoothKind.JOIN, "入会岗"))
    meetings.change_status(renhe, meeting, MeetingStatus.OPEN)
    return meeting


def days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


@pytest.fixture
def factories(app):
    """The factory functions, for tests that prefer a fixture over an import."""
    import tests.factories as module

    return module
