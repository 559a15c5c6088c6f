"""WeChat mini-program codes (小程序码) for entry codes, against the local fake WeChat server."""

import pytest

from app.extensions import db
from app.services.setup import entry_codes

WXACODE_PATH = "/wxa/getwxacodeunlimit"


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings}


def renhe_join_code(meeting):
    return next(c for c in entry_codes.active_codes(meeting) if c.booth and c.venue.host_org.name == "仁和镇")


def test_a_mini_program_code_is_fetched_from_wechat_once_per_code(staff_login, seeded, fake_wechat):
    session = staff_login("booth")
    entry_code = renhe_join_code(seeded.meeting)
    first = session.get(f"/codes/{entry_code.code}/wxacode.png")
    again = session.get(f"/codes/{entry_code.code}/wxacode.png")
    assert first.status_code == again.status_code == 200
    assert first.mimetype == "image/png" and first.data.startswith(b"\x89PNG")
    assert again.data == first.data
    [call] = fake_wechat.calls_to(WXACODE_PATH)
    assert call["scene"] == entry_code.code
    assert call["page"] == "pages/entry/index"


def test_the_meeting_page_links_the_mini_program_code_when_wechat_is_configured(staff_login, seeded):
    entry_code = renhe_join_code(seeded.meeting)
    page = staff_login("renhe").get(f"/meetings/{seeded.meeting.id}").text
    assert f"/codes/{entry_code.code}/wxacode.png" in page


def test_an_invalid_page_tells_staff_to_check_the_mini_program_page(app, staff_login, seeded):
    app.config["WECHAT_ENTRY_PAGE"] = "pages/invalid"
    response = staff_login("booth").get(f"/codes/{renhe_join_code(seeded.meeting).code}/wxacode.png")
    assert response.status_code == 422
    assert "小程序页面路径无效" in response.text


def test_an_exhausted_quota_tells_staff_to_use_the_plain_qr(staff_login, seeded):
    entry_code = renhe_join_code(seeded.meeting)
    # The fake answers 45009 (daily quota reached) for the scene "quota".
    entry_code.code = "quota"
    db.session.commit()
    response = staff_login("booth").get("/codes/quota/wxacode.png")
    assert response.status_code == 429
    assert "今日微信接口调用次数已用完" in response.text
    assert response.headers["Retry-After"] == "60"
