"""In a real browser: the printed poster sheet carries scannable codes for the right booths."""

import pytest

from app.services.setup import entry_codes
from tests.qr.decoding import decode_all, decode_one

pytestmark = pytest.mark.browser

BASE_URL = "http://testserver.local"
ALL_IMAGES_LOADED = "Array.from(document.images).every(img => img.complete && img.naturalWidth > 0)"


def venue_codes(meeting, town: str) -> list[str]:
    return [c.code for c in entry_codes.active_codes(meeting) if c.venue.host_org.name == town]


def test_a_venue_poster_sheet_screenshot_decodes_to_that_venues_entry_urls(live_server, page, sign_in, seeded):
    codes = venue_codes(seeded.meeting, "仁和镇")
    venue_id = next(v.id for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    sign_in("renhe")
    page.goto(f"{live_server.url}/venues/{venue_id}/posters")
    page.wait_for_function(ALL_IMAGES_LOADED)
    assert page.locator("article.poster").count() == 5
    page.get_by_text("微信扫一扫 · 现场入会 / 申领互助服务卡").first.wait_for()

    screenshot = page.screenshot(full_page=True)

    assert sorted(decode_all(screenshot)) == sorted(f"{BASE_URL}/q/{code}" for code in codes)


def test_a_code_svg_drawn_by_the_browser_decodes_to_its_entry_url(live_server, page, sign_in, seeded):
    code = venue_codes(seeded.meeting, "天竺镇")[0]
    sign_in("tianzhu")
    page.goto(f"{live_server.url}/codes/{code}.svg")

    assert decode_one(page.screenshot()) == f"{BASE_URL}/q/{code}"
