"""Card processing: the bank file has the approved members' cards in full, counts per venue, the bank's answer."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, CardDelivery, CardStatus, User
from app.services.afterday import card_processing, review
from app.services.afterday.card_processing import BANK_COLUMNS
from tests.factories import make_application, make_card


def venue_of(seeded, town: str):
    return next(v for v in seeded.meeting.venues if v.host_org.name == town)


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def approved_card(venue, name: str, **card_fields):
    application = make_application(venue, name=name, id_no=None)
    review.approve(user("district"), application.id)
    return make_card(application, **card_fields)


def test_sending_to_the_bank_gives_a_workbook_in_full_and_marks_the_cards_sent(seeded):
    venue = venue_of(seeded, "仁和镇")
    card = approved_card(venue, "张三丰", delivery=CardDelivery.BRANCH, branch="北京银行仁和支行")
    waiting = make_card(make_application(venue, name="未审核"))
    export = card_processing.send_to_bank(user("district"), [card.id, waiting.id], ip="10.2.2.2")
    header, *rows = load_workbook(io.BytesIO(b"".join(export.chunks))).active.iter_rows(values_only=True)
    assert list(header) == BANK_COLUMNS
    (row,) = rows
    person = dict(zip(BANK_COLUMNS, row, strict=True))
    assert person["姓名"] == "张三丰" and len(person["证件号码"]) == 18 and "*" not in person["证件号码"]
    assert (person["领卡方式"], person["领卡网点"]) == ("到银行网点领取", "北京银行仁和支行")
    assert card.status is CardStatus.SENT_TO_BANK and card.sent_to_bank_at is not None
    assert waiting.status is CardStatus.PENDING
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "cards.send_to_bank"))
    assert entry.detail["rows"] == 1 and entry.ip == "10.2.2.2"


def test_only_the_district_sends_cards_to_the_bank(seeded):
    card = approved_card(venue_of(seeded, "仁和镇"), "张三丰")
    with pytest.raises(AppError) as caught:
        card_processing.send_to_bank(user("renhe"), [card.id])
    assert caught.value.status == 403


def test_the_bank_answer_issues_or_rejects_sent_cards_only(seeded):
    venue = venue_of(seeded, "仁和镇")
    issued, refused = approved_card(venue, "甲"), approved_card(venue, "乙")
    pending = approved_card(venue, "丙")
    card_processing.send_to_bank(user("district"), [issued.id, refused.id])
    assert card_processing.record_bank_answer(user("district"), [issued.id], CardStatus.ISSUED) == 1
    card_processing.record_bank_answer(user("district"), [refused.id], CardStatus.REJECTED, "证件信息不符")
    assert (issued.status, refused.status, refused.decision_reason) == (
        CardStatus.ISSUED, CardStatus.REJECTED, "证件信息不符")
    with pytest.raises(AppError) as caught:
        card_processing.record_bank_answer(user("district"), [pending.id], CardStatus.ISSUED)
    assert caught.value.code == "invalid_transition"


def test_tallies_count_each_status_per_venue_of_a_meeting_and_per_union_without_one(seeded):
    renhe, tianzhu = venue_of(seeded, "仁和镇"), venue_of(seeded, "天竺镇")
    sent = approved_card(renhe, "甲")
    approved_card(renhe, "乙")
    approved_card(tianzhu, "丙")
    card_processing.send_to_bank(user("district"), [sent.id])
    by_venue = {row.venue_id: row for row in card_processing.card_tallies(user("district"), seeded.meeting.id)}
    assert (by_venue[renhe.id].by_status["sent_to_bank"], by_venue[renhe.id].by_status["pending"]) == (1, 1)
    assert (by_venue[tianzhu.id].total, by_venue[tianzhu.id].union) == (1, "天竺镇")
    by_union = card_processing.card_tallies(user("district"), None)
    assert [(row.place, row.total) for row in by_union] == [("仁和镇", 2), ("天竺镇", 1)]
    assert [row.place for row in card_processing.card_tallies(user("renhe"), None)] == ["仁和镇"]
