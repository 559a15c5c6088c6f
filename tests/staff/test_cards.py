"""The card page: masked lists and counts for a town, the bank download for the district."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import CardStatus, User
from app.services.afterday import review
from tests.factories import make_application, make_card
from tests.volume import CARD_STATUSES, seed_people


def test_town_admin_sees_masked_cards_and_district_downloads_the_bank_file(staff_login, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue, name="张三丰")
    review.approve(db.session.scalar(select(User).where(User.username == "renhe")), application.id)
    card = make_card(application)

    town_page = staff_login("renhe").get("/cards").text
    assert "张**" in town_page and "张三丰" not in town_page and "报送银行并下载" not in town_page

    district = staff_login("district")
    response = district.post_form("/cards/send-to-bank", {"card_id": card.id}, "/cards")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1][1] == "张三丰"
    db.session.expire_all()
    assert card.status is CardStatus.SENT_TO_BANK
    assert staff_login("renhe").post_form("/cards/send-to-bank", {"card_id": card.id}, "/cards").status_code == 403


def test_a_town_reads_who_processes_cards_and_the_district_does_not_need_to(staff_login, seeded):
    note = "互助服务卡由区总工会统一审核、报送北京银行办理"
    assert note in staff_login("renhe").get("/cards").text
    assert note not in staff_login("district").get("/cards").text


def test_the_desk_pages_newest_first_with_its_total_and_reaches_the_oldest(staff_login, seeded):
    people = seed_people(240, seeded.meeting.venues)
    pending = [p.card_id for n, p in enumerate(people) if CARD_STATUSES[n % len(CARD_STATUSES)] is CardStatus.PENDING]
    district = staff_login("district")
    first = district.get("/cards").text
    assert card_ids(first) == pending[::-1][:50] and "共 120 张" in first
    second = district.get(re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")).text
    assert card_ids(second) == pending[::-1][50:100]
    oldest = district.get("/cards?order=oldest").text
    assert card_ids(oldest) == pending[:50] and "共 120 张" in oldest
    everything = district.get("/cards?status=all").text
    assert "共 240 张" in everything and card_ids(everything) == [p.card_id for p in people][::-1][:50]


def card_ids(text: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-card-id="(\d+)"', text)]
