"""The H5 page on a small phone with its text at 200 %, and every tap target at least 44 px (issue 24 items 9, 10).

Text size: a phone's larger-text setting reaches the page as a larger default font size, so everything sized in
rem or em grows and px stays (Android Chrome's OS text scaling, desktop Chrome's font size setting, iOS Safari's
text size for pages sized in rem). We set the root's font size to 200 % the way that setting does; headless
Chromium ignores CDP's Page.setFontSizes (the setting itself), and page zoom would grow the px spacing and the
viewport's CSS width too, which is not what a text setting does.
"""

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE_VIEWPORT, assert_accessible, small_tap_targets

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}


@pytest.fixture
def small_phone(chromium):
    context = chromium.new_context(viewport=SMALL_PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_page(page, live_server, entry_code, text_size: str = "100%") -> None:
    page.goto(f"{live_server.url}/q/{entry_code}")
    page.evaluate(f"document.documentElement.style.fontSize = '{text_size}'")
    expect(page.locator("#join-form")).to_be_visible()


def test_at_200_percent_text_on_a_360x640_phone_the_form_starts_on_the_first_screen(
    live_server, small_phone, entry_code
):
    open_page(small_phone, live_server, entry_code, "200%")
    assert small_phone.evaluate("parseFloat(getComputedStyle(document.querySelector('#f-name')).fontSize)") >= 32
    # On the first screen, and above the submit button that stays at the bottom of it.
    name_field = small_phone.locator("#f-name").bounding_box()
    assert name_field["y"] + name_field["height"] <= small_phone.locator(".submit-bar").bounding_box()["y"]
    # The consent box grows with its label instead of staying 24 px beside doubled words.
    assert small_phone.locator("#f-consent").bounding_box()["height"] >= 2 * 24
    assert small_phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    assert_accessible(small_phone, "h5-360x640-text-200")


@pytest.mark.parametrize(("viewport", "text_size"), [(PHONE_VIEWPORT, "100%"), (SMALL_PHONE, "200%")],
                         ids=["390x844-text-100", "360x640-text-200"])
def test_every_tap_target_on_the_form_is_at_least_44_px(live_server, chromium, entry_code, viewport, text_size):
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    open_page(page, live_server, entry_code, text_size)
    page.locator("#more-fields summary").click()  # 长期有效 and the other optional fields
    page.get_by_role("button", name="找回我的申请").click()
    assert small_tap_targets(page, "#h5") == []
    # Its row is the 长期有效 box's target: a tap on the words, away from the box, ticks it.
    long_term = page.locator("label.check", has=page.locator("#id-long-term"))
    box = long_term.bounding_box()
    long_term.click(position={"x": box["width"] - 10, "y": box["height"] / 2})
    expect(page.locator("#id-long-term")).to_be_checked()
    assert_accessible(page, f"h5-targets-{viewport['width']}x{viewport['height']}-text-{text_size[:-1]}")
    context.close()
