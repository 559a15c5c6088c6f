"""The worker's journey on a 390x844 phone in Chromium (zh-CN): after the join the page says what happens next,
shows the member number, reopens a returned application prefilled, moves an application filed on another
phone with the booth's code (the old phone then says so), refuses the card up front, checks fields on leaving
them — and axe-core finds nothing serious."""

import json
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import MembershipApplication, User
from app.services.afterday import review
from app.services.intake import booth_help
from tests.browser_fixtures import PHONE_VIEWPORT, assert_accessible
from tests.factories import account, id_number

pytestmark = pytest.mark.browser

def reviewer() -> User:
    return db.session.scalar(select(User).where(User.username == "renhe"))


def open_form(page, live_server, entry_code) -> None:
    page.goto(f"{live_server.url}/q/{entry_code}")
    expect(page.locator("#join-form")).to_be_visible()


def fill_join_form(page, id_no: str, mobile: str = "139 1234 5678") -> None:
    page.fill("#f-name", "赵师傅")
    page.fill("#f-id_number", id_no)
    page.fill("#f-mobile", mobile)
    page.fill("#f-employer", "北京顺义物流有限公司")
    page.select_option("#f-new_form_job", "快递员")
    page.check("#f-consent")


def join(page, live_server, entry_code, id_no: str | None = None) -> None:
    open_form(page, live_server, entry_code)
    fill_join_form(page, id_no or id_number())
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#membership-title")).to_have_text("提交成功")


def recover(page, live_server, entry_code, id_no: str, code: str) -> None:
    """On a phone that has no application: 找回我的申请 with the ID number and the booth's 找回码."""
    open_form(page, live_server, entry_code)
    page.get_by_role("button", name="找回我的申请").click()
    page.fill("#r-f-id_number", id_no)
    page.fill("#r-f-recovery_code", code)
    page.get_by_role("button", name="找回申请").click()


def the_application() -> MembershipApplication:
    db.session.expire_all()
    return db.session.scalars(select(MembershipApplication).order_by(MembershipApplication.id.desc())).first()


def test_after_joining_the_worker_sees_success_who_reviews_how_long_and_where_the_result_shows(
    live_server, page, entry_code
):
    open_form(page, live_server, entry_code)
    assert_accessible(page, "01-form")
    fill_join_form(page, id_number())
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#membership-title")).to_have_text("提交成功")
    status = page.locator("#membership-status")
    expect(status).to_have_text("已提交，等待工会审核")
    expect(status).to_have_class(re.compile("tone-wait"))
    expect(page.locator("#membership-next")).to_contain_text("由 仁和镇总工会 审核，一般在 5 个工作日内完成")
    expect(page.locator("#membership-next")).to_contain_text("审核结果会显示在这个页面")
    expect(page.locator("#h5-intro")).to_have_text("您已提交入会申请，办理进度见下方。")
    expect(page.locator("#join-form")).to_be_hidden()
    expect(page.locator("#card-info")).to_be_visible()
    page.locator("#card-info summary").click()
    expect(page.locator("#card-info-sections")).to_contain_text("什么是互助服务卡")
    assert_accessible(page, "02-success")

    page.check("#card-f-delivery input[value=onsite]")
    page.check("#card-f-consent")
    page.get_by_role("button", name="申领互助服务卡").click()
    expect(page.locator("#card-status")).to_have_text("已受理，工会将统一报送银行制卡")
    assert_accessible(page, "03-card-done")


def test_the_member_number_reaches_the_worker_with_a_copy_button(live_server, page, entry_code):
    join(page, live_server, entry_code)
    approved = review.approve(reviewer(), the_application().id)
    page.reload()
    expect(page.locator("#membership-status")).to_have_text("已入会")
    expect(page.locator("#membership-status")).to_have_class(re.compile("tone-done"))
    expect(page.locator("#member-no")).to_have_text(approved.member_no)
    expect(page.locator("#membership-member")).to_contain_text("工会会员编号")
    page.get_by_role("button", name="复制").click()
    expect(page.locator("#copy-done")).to_have_text(f"已复制会员编号 {approved.member_no}")
    assert_accessible(page, "04-member-no")


def test_a_returned_application_opens_prefilled_and_is_fixed_in_one_tap(live_server, page, entry_code):
    join(page, live_server, entry_code)
    application = the_application()
    review.return_for_correction(reviewer(), application.id, "工作单位请写营业执照上的全称", fields=["employer"])
    sent = []
    page.on("request", lambda r: r.method == "PATCH" and sent.append(json.loads(r.post_data)))
    page.reload()
    expect(page.locator("#return-reason")).to_have_text("工作单位请写营业执照上的全称")
    expect(page.locator("#membership-status")).to_have_class(re.compile("tone-problem"))
    expect(page.locator('#join-form .field[data-field="employer"]')).to_have_class(re.compile("flagged"))
    expect(page.locator('#join-form .field[data-field="mobile"]')).not_to_have_class(re.compile("flagged"))
    expect(page.locator("#f-employer")).to_have_value("北京顺义物流有限公司")
    expect(page.locator("#f-id_number")).to_have_value(re.compile(r"^\d{3}\*+\d{3}[\dX]$"))
    expect(page.locator("#f-new_form_job")).to_have_value("快递员")
    assert_accessible(page, "05-returned")

    page.fill("#f-employer", "北京顺义物流有限公司仁和分公司")
    page.get_by_role("button", name="修改后重新提交").click()
    expect(page.locator("#membership-status")).to_have_text("已提交，等待工会审核")
    expect(page.locator("#return-box")).to_be_hidden()
    expect(page.locator("#join-form")).to_be_hidden()
    assert sent == [{"employer": "北京顺义物流有限公司仁和分公司"}]
    assert the_application().employer == "北京顺义物流有限公司仁和分公司"


def test_an_application_made_on_another_phone_comes_here_with_the_booths_code_and_the_old_phone_says_so(
    app, live_server, page, chromium, seeded, entry_code
):
    app.config["RATELIMIT_MP_RECOVER_PER_ID"] = "2/hour"
    valid = id_number()
    join(page, live_server, entry_code, valid)
    other_phone = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    open_form(other_phone, live_server, entry_code)
    fill_join_form(other_phone, valid)
    other_phone.get_by_role("button", name="提交入会申请").click()
    expect(other_phone.locator("#h5-message")).to_contain_text("工作人员核对身份证后给您找回码")
    expect(other_phone.locator("#recover-form")).to_be_visible()
    expect(other_phone.locator("#r-f-id_number")).to_have_value(valid)
    expect(other_phone.locator("#r-f-recovery_code")).to_be_focused()
    expect(other_phone.locator("#recover-form input[name=mobile]")).to_have_count(0)  # a typed mobile proves nothing
    expect(other_phone.locator("#recover-title")).to_be_in_viewport()
    assert_accessible(other_phone, "06-recover")

    other_phone.get_by_role("button", name="找回申请").click()
    expect(other_phone.locator("#r-e-recovery_code")).to_have_text("请填写工作人员给的6位找回码")
    booth = seeded.meeting.venues[0].booths[0]
    code = booth_help.give_recovery_code(account("booth"), booth, valid, None).recovery_code
    other_phone.fill("#r-f-recovery_code", "111111" if code == "000000" else "000000")
    other_phone.get_by_role("button", name="找回申请").click()
    expect(other_phone.locator("#h5-message")).to_contain_text("没有找到与所填身份证号")
    other_phone.fill("#r-f-recovery_code", code)
    other_phone.get_by_role("button", name="找回申请").click()
    expect(other_phone.locator("#membership-status")).to_have_text("已提交，等待工会审核")
    expect(other_phone.locator("#recover")).to_be_hidden()

    page.reload()
    expect(page.locator("#previous-status")).to_have_text("已转到其他手机")
    expect(page.locator("#previous-status")).to_have_class(re.compile("tone-problem"))
    expect(page.locator("#previous-advice")).to_contain_text("如果不是您本人操作，请尽快联系仁和镇总工会")
    expect(page.locator("#join-form")).to_be_visible()
    assert_accessible(page, "06-moved-away")
    # The limit per ID number holds: a third try within the hour is refused, right code or not.
    third_phone = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    recover(third_phone, live_server, entry_code, valid, code)
    expect(third_phone.locator("#h5-message")).to_have_text("操作太频繁，请稍后再试")
    other_phone.context.close()
    third_phone.context.close()


def test_booth_staff_look_the_worker_up_and_move_the_application_to_the_new_phone(
    live_server, page, chromium, seeded, sign_in, entry_code
):
    valid = id_number()
    old_phone = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    join(old_phone, live_server, entry_code, valid)
    old_phone.context.close()

    booth = seeded.meeting.venues[0].booths[0]
    sign_in("booth")
    page.goto(f"{live_server.url}/booths/{booth.id}/console")
    page.get_by_role("link", name="查询职工的入会申请（核对身份证）").click()
    page.fill("#lookup-id-number", valid[:17] + ("0" if valid[17] != "0" else "1"))
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#lookup-id-error")).to_have_text("身份证号校验位不正确，请核对后重新输入")
    page.fill("#lookup-id-number", valid)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#lookup-status")).to_have_text("已提交，待审核")
    page.get_by_role("button", name="生成找回码").click()
    code = page.locator("#recovery-code").text_content()
    assert_accessible(page, "07-booth-lookup")

    new_phone = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    recover(new_phone, live_server, entry_code, valid, code)
    expect(new_phone.locator("#membership-status")).to_have_text("已提交，等待工会审核")
    new_phone.context.close()


def test_a_61_year_old_man_is_told_the_card_is_not_for_him_instead_of_getting_the_form(
    live_server, page, entry_code
):
    join(page, live_server, entry_code, id_number(date(1965, 3, 1)))
    expect(page.locator("#card-form")).to_be_hidden()
    expect(page.locator("#card-refused-reason")).to_contain_text("男性未满60周岁")
    assert_accessible(page, "08-card-refused")


def test_fields_are_checked_on_leaving_them_and_cleared_as_soon_as_they_are_right(live_server, page, entry_code):
    open_form(page, live_server, entry_code)
    valid = id_number()
    page.fill("#f-id_number", valid[:17] + ("0" if valid[17] != "0" else "1"))
    page.locator("#f-mobile").focus()
    expect(page.locator("#e-id_number")).to_have_text("身份证号校验位不正确，请核对后重新输入")
    page.fill("#f-mobile", "+86 139 1234 567")
    page.locator("#f-employer").focus()
    expect(page.locator("#e-mobile")).to_have_text("手机号应为11位，以1开头")
    page.fill("#f-id_number", valid)
    expect(page.locator("#e-id_number")).to_be_hidden()
    page.fill("#f-mobile", "+86 139 1234 5678")
    expect(page.locator("#e-mobile")).to_be_hidden()
    page.fill("#f-id_number", id_number(date(2015, 1, 1)))
    page.locator("#f-name").focus()
    expect(page.locator("#e-id_number")).to_have_text("年满16周岁方可申请入会")
    assert_accessible(page, "09-inline-errors")

    # An empty submit brings the first wrong field (姓名, at the top) into view, not the consent box.
    page.fill("#f-id_number", "")
    page.fill("#f-mobile", "")
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#e-name")).to_have_text("请填写姓名")
    expect(page.locator("#f-name")).to_be_focused()
    expect(page.locator("#e-name")).to_be_in_viewport()
    page.fill("#f-name", "赵")
    expect(page.locator("#e-name")).to_be_hidden()
    page.check("#f-consent")
    expect(page.locator("#e-consent")).to_be_hidden()


def test_touch_targets_are_44_px_and_the_submit_button_stays_in_reach(live_server, page, entry_code):
    open_form(page, live_server, entry_code)
    for selector in ("#f-consent", "#add-x", "#f-name", "#join-submit"):
        target = page.locator(selector).evaluate("e => (e.closest('label') || e).getBoundingClientRect().height")
        assert target >= 44, selector
    submit = page.locator("#join-submit").bounding_box()
    assert submit["y"] >= 0 and submit["y"] + submit["height"] <= PHONE_VIEWPORT["height"]


def test_the_page_works_at_twice_the_text_size(live_server, page, entry_code):
    open_form(page, live_server, entry_code)
    # As a phone's 200 % text setting does: the root font size doubles, and the page sizes text in rem.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#f-name')).fontSize)") >= 32
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert_accessible(page, "10-text-200")


def test_the_privacy_notice_is_linked_next_to_the_consent_box(live_server, page, entry_code):
    open_form(page, live_server, entry_code)
    link = page.locator('#join-form .field[data-field="consent"] a')
    expect(link).to_have_text("《个人信息保护说明》")
    page.goto(live_server.url + link.get_attribute("href"))
    expect(page.locator("h1")).to_have_text("个人信息保护说明")
    expect(page.locator("article")).to_contain_text("180天（约6个月）")
    assert_accessible(page, "11-privacy")
