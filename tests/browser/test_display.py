"""In a real browser: the big screen shows a join within 2 s, and fits a TV whole, readable from the back."""

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Org, Venue, VenueRole
from app.models.base import utcnow
from app.services.live import intake_counters
from tests.browser_fixtures import assert_accessible
from tests.factories import make_application

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TV_SIZES = [(1920, 1080), (1280, 720), (3840, 2160)]
SURNAMES = "王李张刘陈杨赵黄周吴"


def test_a_join_appears_on_the_big_screen_without_a_reload(live_server, page, seeded, mp_worker, join_form):
    page.goto(f"{live_server.url}/display/{seeded.display_token}")
    page.locator("#connection", has_text="实时").wait_for()
    assert page.locator("#total-joins").inner_text() == "0"

    response = mp_worker("zhang").join(join_form(name="张三丰"))
    assert response.status_code == 201

    page.locator("#total-joins", has_text="1").wait_for(timeout=2000)
    page.locator("#recent-joins li", has_text="张**").wait_for(timeout=2000)
    assert page.locator("#venue-rows tr").first.locator("td").nth(1).inner_text() == "1"
    assert_accessible(page, "display-after-a-join")


@pytest.fixture
def district_day(seeded):
    """The demo meeting with a sub-venue in every one of the 27 towns and joins spread over the last hour."""
    meeting = seeded.meeting
    hosting = {venue.host_org_id for venue in meeting.venues}
    for org in db.session.query(Org).filter(Org.parent_id.isnot(None)).order_by(Org.sort_order):
        if org.id not in hosting:
            db.session.add(Venue(meeting=meeting, role=VenueRole.SUB, host_org=org,
                                 place_name=f"{org.name}职工服务中心", address=f"北京市顺义区{org.name}"))
    db.session.commit()
    for n, venue in enumerate(meeting.venues):
        for k in range(n % 4 + 1):
            make_application(venue, name=SURNAMES[(n + k) % 10] + "小明",
                             submitted_at=utcnow() - timedelta(minutes=(7 * n + 3 * k) % 50))
    intake_counters.rebuild(meeting.id)
    return seeded


def town_names(meeting) -> set[str]:
    return {venue.host_org.name for venue in meeting.venues}


@pytest.mark.parametrize(("width", "height"), TV_SIZES)
def test_the_big_screen_fits_a_tv_whole_and_is_readable_from_the_back(live_server, page, district_day, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.clock.install()
    page.goto(f"{live_server.url}/display/{district_day.display_token}")
    page.locator("#connection", has_text="实时").wait_for()
    page.locator("#minute-chart svg text", has_text="入会（人）").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"display-{width}x{height}.png")
    assert_accessible(page, f"display-{width}x{height}")

    assert page.evaluate("document.documentElement.scrollHeight") <= height
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    smallest = page.evaluate(SMALLEST_TEXT)
    assert smallest["size"] >= 32 * height / 1080 - 0.5, smallest

    seen, page_count = set(), int(page.locator("#org-page").inner_text().split("/")[-1] or 1)
    for _ in range(page_count):
        rows = page.locator("#org-bars .bar")
        for index in range(rows.count()):
            assert_inside_viewport(rows.nth(index), width, height)
            seen.add(rows.nth(index).locator("span").first.inner_text())
        page.clock.fast_forward(10_000)
    assert seen == town_names(district_day.meeting)
    assert len(seen) == 27


def test_the_minute_chart_has_a_time_axis_and_whole_number_value_axis(live_server, page, district_day):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/display/{district_day.display_token}")
    chart_texts = page.locator("#minute-chart svg text")
    chart_texts.filter(has_text="入会（人）").wait_for()

    labels = [text.strip() for text in chart_texts.all_text_contents()]
    assert "时间" in labels
    times = [label for label in labels if len(label) == 5 and label[2] == ":"]
    assert len(times) >= 2
    numbers = [label for label in labels if label.isdigit()]
    assert "0" in numbers and len(numbers) >= 3
    chart = page.locator("#minute-chart").bounding_box()
    for time_label in chart_texts.filter(has_text=":").all():  # none cut at the chart's edges
        box = time_label.bounding_box()
        assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"], box
    assert all(label.isdigit() or ":" in label or label in ("时间", "入会（人）") for label in labels), labels


@pytest.mark.parametrize(("width", "height"), TV_SIZES[:2])
def test_the_minute_chart_labels_now_and_every_quarter_hour(live_server, page, seeded, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.clock.install(time=datetime(2026, 12, 7, 2, 22, 20, tzinfo=UTC))  # 10:22 in Beijing
    page.goto(f"{live_server.url}/display/{seeded.display_token}")
    chart_texts = page.locator("#minute-chart svg text")
    chart_texts.filter(has_text="入会（人）").wait_for()

    time_labels = chart_texts.filter(has_text=":")
    assert [text.strip() for text in time_labels.all_text_contents()] == ["09:30", "09:45", "10:00", "10:22"]
    boxes = [label.bounding_box() for label in time_labels.all()]
    for left, right in itertools.pairwise(boxes):  # side by side, none printed over its neighbour
        assert left["x"] + left["width"] < right["x"], (left, right)


@pytest.mark.parametrize(("width", "height"), TV_SIZES[:2])
def test_every_venue_name_is_shown_whole(live_server, page, district_day, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/display/{district_day.display_token}")
    page.locator("#connection", has_text="实时").wait_for()
    names = page.locator("#venue-rows td:first-child")
    names.first.wait_for()

    assert page.locator("#venue-rows tr").first.locator("td").first.inner_text().endswith("1号标厂")
    cut = names.evaluate_all(
        "cells => cells.filter((cell) => cell.scrollWidth > cell.clientWidth"
        " || getComputedStyle(cell).textOverflow === 'ellipsis').map((cell) => cell.textContent)"
    )
    assert cut == []
    assert_accessible(page, f"display-venues-{width}x{height}")


def test_a_lost_stream_is_announced_to_the_whole_room(live_server, page, seeded):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.route("**/live/meetings/**", lambda route: route.abort())  # the hall's network drops the stream
    page.goto(f"{live_server.url}/display/{seeded.display_token}")

    banner = page.locator("#connection-lost")
    banner.wait_for()
    assert banner.inner_text() == "连接中断，正在重连"
    assert float(banner.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")) >= 60
    assert_accessible(page, "display-stream-lost")


def assert_inside_viewport(locator, width, height):
    box = locator.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5, box


# The smallest font among elements that show text of their own (HTML and the chart's SVG).
SMALLEST_TEXT = """() => {
  let smallest = { size: Infinity, text: "" };
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].filter((c) => c.nodeType === 3).map((c) => c.textContent.trim()).join("");
    if (!own || !node.getClientRects().length || node.closest("[hidden], title")) continue;
    const size = parseFloat(getComputedStyle(node).fontSize);
    if (size < smallest.size) smallest = { size, text: own };
  }
  return smallest;
}"""
