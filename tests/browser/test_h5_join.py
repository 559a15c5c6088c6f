"""The H5 page in headless Chromium at phone size: join, correct a field error, apply for the card."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import MeetingStatus, MembershipApplication, MutualAidCardApplication, User, Worker
from app.services.afterday import review
from tests.factories import id_number, make_application

pytestmark = pytest.mark.browser


def fill_join_form(page, id_no: str) -> None:
    page.fill("#f-name", "赵师傅")
    page.fill("#f-id_number", id_no)
    page.fill("#f-mobile", "139 1234 5678")
    page.fill("#f-employer", "北京顺义物流有限公司")
    page.select_option("#f-new_form_job", "快递员")
    page.check("#f-consent")


def test_a_worker_joins_and_applies_for_the_card_on_a_phone(live_server, page, entry_code):
    valid = id_number()
    page.goto(f"{live_server.url}/q/{entry_code}")
    fill_join_form(page, valid[:17] + ("0" if valid[17] != "0" else "1"))
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#e-id_number")).to_have_text("身份证号校验位不正确，请核对后重新输入")

    page.fill("#f-id_number", valid.lower())
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#membership-status")).to_have_text("已提交，等待工会审核")
    expect(page.locator("#membership-detail")).to_contain_text("赵**")
    expect(page.locator("#join-form")).to_be_hidden()

    page.check("#card-f-delivery input[value=onsite]")
    page.check("#card-f-consent")
    page.get_by_role("button", name="申领互助服务卡").click()
    expect(page.locator("#card-status")).to_have_text("已受理，工会将统一报送银行制卡")
    expect(page.locator("#membership-status")).to_be_visible()

    db.session.expire_all()
    assert db.session.query(MembershipApplication).count() == 1
    assert db.session.query(MutualAidCardApplication).one().delivery.value == "onsite"


def test_a_lost_answer_is_retried_with_the_same_key_and_joins_once(live_server, page, entry_code):
    keys = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        response = route.fetch()  # the server does receive and commit it
        if len(keys) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/mp/v1/membership-applications", lose_the_first_answer)
    page.goto(f"{live_server.url}/q/{entry_code}")
    fill_join_form(page, id_number())
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#membership-status")).to_have_text("已提交，等待工会审核")
    assert len(keys) == 2 and keys[0] == keys[1]
    db.session.expire_all()
    assert db.session.query(MembershipApplication).count() == 1


def test_a_closed_meeting_says_so_instead_of_showing_the_form(live_server, page, seeded, entry_code):
    seeded.meeting.status = MeetingStatus.CLOSED
    seeded.meeting.closed_at = seeded.meeting.opened_at
    db.session.commit()
    page.goto(f"{live_server.url}/q/{entry_code}")
    assert "本场沟通会已结束" in page.content()
    assert page.locator("#join-form").count() == 0


def test_when_the_network_is_down_the_page_says_so(live_server, page, entry_code):
    page.goto(f"{live_server.url}/q/{entry_code}")
    fill_join_form(page, id_number())
    page.route("**/mp/v1/membership-applications", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#h5-message")).to_contain_text("网络不稳定", timeout=15_000)
    expect(page.locator("#join-form")).to_be_visible()


def test_a_returned_application_is_corrected_on_the_page(live_server, page, seeded, entry_code):
    page.goto(f"{live_server.url}/q/{entry_code}")
    expect(page.locator("#join-form")).to_be_visible()
    visitor = db.session.scalars(select(Worker).order_by(Worker.id.desc())).first()
    application = make_application(seeded.meeting.venues[0], worker=visitor)
    renhe = db.session.scalar(select(User).where(User.username == "renhe"))
    review.return_for_correction(renhe, application.id, "工作单位请写全称")

    page.reload()
    expect(page.locator("#membership-status")).to_have_text("需要修改后重新提交")
    expect(page.locator("#return-reason")).to_have_text("工作单位请写全称")
    fill_join_form(page, id_number())
    page.get_by_role("button", name="修改后重新提交").click()
    expect(page.locator("#membership-status")).to_have_text("已提交，等待工会审核")
    expect(page.locator("#join-form")).to_be_hidden()
    db.session.expire_all()
    assert db.session.get(MembershipApplication, application.id).employer == "北京顺义物流有限公司"
