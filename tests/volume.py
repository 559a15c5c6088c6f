"""Volume for tests of shape: many applicants seeded in a few bulk statements, and a count of the statements a
request sends, so a test can say that a page costs the same at 1× and 4× its data (SPEC §9).

PII goes through app.services.privacy as intake writes it (Fernet ciphertext, the blind index of a valid
身份证号), so the pages decrypt and mask what they would in production.
"""

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import event, insert

from app.extensions import db
from app.models import (
    ApplicationStatus,
    CardDelivery,
    CardStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Venue,
)
from app.models.base import utcnow
from app.services import privacy
from tests.factories import id_number

# A third approved (with a member number), the rest waiting; a card each, half of them still pending.
APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
CARD_STATUSES = (CardStatus.PENDING, CardStatus.PENDING, CardStatus.SENT_TO_BANK, CardStatus.ISSUED)
_member_numbers = itertools.count(1)


@dataclass(frozen=True)
class Seeded:
    application_id: int
    card_id: int
    id_number: str
    member_no: str | None
    host_org_id: int


def seed_people(count: int, venues: Sequence[Venue]) -> list[Seeded]:
    """`count` applications, each with a 互助服务卡, round-robin over the venues, submitted one minute apart
    (oldest first, later than any seeded before): two executemany INSERTs."""
    start, numbers = utcnow(), [id_number() for _ in range(count)]
    people = [person(n, number, venues[n % len(venues)], start + timedelta(minutes=n))
              for n, number in enumerate(numbers)]
    ids = db.session.scalars(insert(MembershipApplication).returning(MembershipApplication.id,
                                                                     sort_by_parameter_order=True), people).all()
    cards = [card(row, application_id, CARD_STATUSES[n % len(CARD_STATUSES)])
             for n, (row, application_id) in enumerate(zip(people, ids, strict=True))]
    card_ids = db.session.scalars(insert(MutualAidCardApplication).returning(MutualAidCardApplication.id,
                                                                             sort_by_parameter_order=True), cards).all()
    db.session.commit()
    return [Seeded(application_id, card_id, number, row["member_no"], row["host_org_id"])
            for row, number, application_id, card_id in zip(people, numbers, ids, card_ids, strict=True)]


def person(n: int, number: str, venue: Venue, submitted_at) -> dict:
    status = APPLICATION_STATUSES[n % len(APPLICATION_STATUSES)]
    member_no = f"{venue.host_org_id:03d}-2026-{next(_member_numbers):06d}" if status is ApplicationStatus.APPROVED \
        else None
    return {
        "meeting_id": venue.meeting_id, "venue_id": venue.id, "host_org_id": venue.host_org_id, "status": status,
        "name_enc": privacy.encrypt(f"职工{n}"), "id_number_enc": privacy.encrypt(number),
        "mobile_enc": privacy.encrypt(f"138{n:08d}"), "id_blind_index": privacy.blind_index(number),
        "gender": "男", "birth_date": date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        "employer": "北京顺义物流有限公司", "consent": True, "consent_version": "2026-11",
        "submitted_at": submitted_at, "member_no": member_no,
    }


def card(person_row: dict, application_id: int, status: CardStatus) -> dict:
    place = ("meeting_id", "venue_id", "host_org_id", "id_blind_index")
    return {**{name: person_row[name] for name in place}, "membership_application_id": application_id,
            "delivery": CardDelivery.ONSITE, "consent": True, "status": status}


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (as bench/counted_app.py counts them)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def statement_count(session, url: str) -> int:
    """Statements one GET of the page sends (it must answer 200)."""
    with statements() as sent:
        response = session.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(sent)
