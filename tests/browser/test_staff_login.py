"""In a real browser: the demo district admin logs in and sees the demo meeting."""

import pytest

from tests.browser_fixtures import assert_accessible

pytestmark = pytest.mark.browser


def test_district_admin_logs_in_and_sees_the_demo_meeting_with_venues_and_booths(live_server, page, seeded):
    page.goto(live_server.url + "/login")
    assert_accessible(page, "login")
    page.get_by_label("用户名").fill("district")
    page.get_by_label("密码").fill("shunyi2026")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="顺义区职工沟通会").click()
    page.get_by_role("heading", name="北京工字投资管理有限责任公司1号标厂 主会场").wait_for()
    assert page.locator("section.venue").count() == 5
    assert page.get_by_text("法律咨询岗").first.is_visible()
    assert_accessible(page, "meeting-after-login")
