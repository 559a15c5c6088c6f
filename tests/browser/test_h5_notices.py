"""What the H5 page asks a worker to agree to (issue 24 items 8, 11): the 个人信息保护说明 under that one name,
with a contact that still answers after the day, and the 办卡须知's key lines in view before its box is ticked."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_worker_journey import join, open_form
from tests.browser_fixtures import assert_accessible

pytestmark = pytest.mark.browser

CONTACT = "仁和镇总工会权益保障部，privacy@example.org"


def test_the_notice_has_one_name_and_gives_the_deployments_contact(app, live_server, page, entry_code):
    app.config["PRIVACY_CONTACT"] = CONTACT
    open_form(page, live_server, entry_code)
    page.fill("#f-name", "赵师傅")
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.locator("#e-consent")).to_have_text("请阅读并同意入会承诺和个人信息保护说明")
    expect(page.locator("#h5")).not_to_contain_text("使用说明")

    page.get_by_role("link", name="个人信息保护说明").last.click()
    expect(page.locator("h1")).to_have_text("个人信息保护说明")
    expect(page.locator("article")).to_contain_text(f"联系我们\n{CONTACT}")
    expect(page.locator("article")).not_to_contain_text("使用说明")
    assert_accessible(page, "h5-privacy-notice")


def test_the_card_consent_box_has_the_key_lines_of_the_card_notice_beside_it(live_server, page, entry_code):
    join(page, live_server, entry_code)
    expect(page.locator("#card-info")).not_to_have_attribute("open", "")
    points = page.locator("#card-points")
    for line in ("办卡免费", "男性未满60周岁、女性未满55周岁", "凭本人身份证到所选网点领取"):
        expect(points).to_contain_text(line)
    expect(points).to_be_in_viewport()
    # A screen reader reads them with the box.
    assert "card-points" in page.locator("#card-f-consent").get_attribute("aria-describedby").split()
    assert_accessible(page, "h5-card-points")
