"""In a real browser at an office laptop's 1366x768: wide tables reach every column; the meeting page is live."""

from pathlib import Path

import pytest

from app.services.live import reports
from tests.intake_fixtures import bulk_joins

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def test_the_day_summary_shows_or_scrolls_to_every_column_at_1366(live_server, page, sign_in, seeded):
    bulk_joins(seeded.meeting.venues[0], 2, cards=1)
    page.set_viewport_size(LAPTOP)
    sign_in("district")
    page.goto(f"{live_server.url}/meetings/{seeded.meeting.id}/summary")

    headers = page.locator("table.summary th")
    assert headers.count() == 2 + len(reports.COLUMNS)
    for index in range(headers.count()):
        header = headers.nth(index)
        header.scroll_into_view_if_needed()
        box = header.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], header.inner_text()
        assert box["height"] < 40, header.inner_text()  # one line, not a character per line
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    # Scrolled to the last column, each row still says which venue its figures belong to.
    venue = page.locator("table.summary tbody td").first
    box = venue.bounding_box()
    assert box["x"] >= 0
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).textContent", [box["x"] + 5, box["y"] + 5])
    assert on_top == venue.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "summary-1366x768.png", full_page=True)


def test_the_meeting_page_counts_a_join_live(live_server, page, sign_in, seeded, mp_worker, join_form):
    page.set_viewport_size(LAPTOP)
    sign_in("district")
    page.goto(f"{live_server.url}/meetings/{seeded.meeting.id}")
    page.locator("#live-state", has_text="实时更新中").wait_for()
    joins = page.locator('#live-totals [data-metric="joins"]')
    assert joins.inner_text() == "0"

    assert mp_worker("li").join(join_form(name="李四")).status_code == 201

    joins.filter(has_text="1").wait_for()
    page.screenshot(path=SCREENSHOTS / "meeting-1366x768.png")
