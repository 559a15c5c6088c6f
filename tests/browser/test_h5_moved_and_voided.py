"""An application that left a phone (issue 24 item 7): moved to another phone with the booth's 找回码, or voided
at the booth as filed with someone else's ID number. Each phone involved says what happened and what to do next,
as the booth's void panel promises (「原申请人会看到「已作废」」)."""

import re

import pytest
from playwright.sync_api import expect

from app.services.intake import booth_help
from tests.browser.test_worker_journey import fill_join_form, join, open_form, recover
from tests.browser_fixtures import PHONE_VIEWPORT, assert_accessible
from tests.factories import account, id_number

pytestmark = pytest.mark.browser

VOID_REASON = "本人王某持身份证到场核实"


def test_a_phone_whose_application_was_voided_at_the_booth_says_so_and_the_way_back(
    live_server, page, chromium, seeded, entry_code
):
    valid = id_number()
    join(page, live_server, entry_code, valid)
    owner = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    open_form(owner, live_server, entry_code)
    fill_join_form(owner, valid)
    owner.get_by_role("button", name="提交入会申请").click()
    expect(owner.locator("#h5-message")).to_contain_text("工作人员核对身份证后会作废那份申请，您再在这里重新提交")

    booth = seeded.meeting.venues[0].booths[0]
    booth_help.void(account("booth"), booth, valid, VOID_REASON, None)
    # The worker opens the page again, at its top: a reload would restore the scroll of the answer shown after
    # joining, and whether the notice is in view would depend on when the browser restored it.
    page.evaluate("window.scrollTo(0, 0)")
    page.reload()
    expect(page.locator("#previous-status")).to_have_text("已作废")
    expect(page.locator("#previous-status")).to_have_class(re.compile("tone-problem"))
    advice = page.locator("#previous-advice")
    expect(advice).to_contain_text("工作人员核对身份证原件后作废了这份申请")
    expect(advice).to_contain_text("请带身份证到沟通会现场的服务岗位，或联系仁和镇总工会")
    expect(page.locator("#previous")).to_be_in_viewport()
    # The staff's note may name people: it stays in the audit log, off the phone.
    me = page.evaluate("""async () => (await fetch('/mp/v1/me', {headers: {Authorization: 'Bearer '
        + localStorage.getItem('union-intake.h5-token')}})).text()""")
    assert VOID_REASON not in me
    assert_accessible(page, "h5-voided")

    owner.get_by_role("button", name="提交入会申请").click()
    expect(owner.locator("#membership-title")).to_have_text("提交成功")
    owner.context.close()


def test_the_phone_an_application_moved_to_says_where_it_came_from_and_the_days_hold(
    live_server, page, chromium, seeded, entry_code
):
    valid = id_number()
    old_phone = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN").new_page()
    join(old_phone, live_server, entry_code, valid)
    booth = seeded.meeting.venues[0].booths[0]
    code = booth_help.give_recovery_code(account("booth"), booth, valid, None).recovery_code

    recover(page, live_server, entry_code, valid, code)
    moved = page.locator("#membership-moved")
    expect(moved).to_contain_text("从其他手机转到这部手机，原来的手机上只显示「已转到其他手机」")
    expect(moved).to_contain_text("24小时内不能撤回或修改")
    expect(page.get_by_role("button", name="撤回申请")).to_be_hidden()  # not offered while it would be refused
    page.reload()  # still said when the page is opened again
    expect(moved).to_contain_text(re.compile(r"这份申请于\d+月\d+日 \d\d:\d\d从其他手机转到这部手机"))
    assert_accessible(page, "h5-moved-here")

    old_phone.reload()
    expect(old_phone.locator("#previous-status")).to_have_text("已转到其他手机")
    when_and_where = re.compile(r"已于\d+月\d+日 \d\d:\d\d在其他手机上找回")
    expect(old_phone.locator("#previous-advice")).to_contain_text(when_and_where)
    old_phone.context.close()
