"""In a real browser at an office laptop's 1366x768: wide tables reach every column; the meeting page is live."""

import io
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from app.services import audit
from app.services.live import reports
from tests.browser_fixtures import assert_accessible, axe_violations
from tests.factories import account, make_application, make_worker
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
    assert_accessible(page, "summary-1366x768")


def test_the_day_summarys_figures_scroll_by_keyboard_and_no_glyph_peeks_past_the_booth_column(
    live_server, page, sign_in, seeded
):
    page.set_viewport_size(LAPTOP)
    sign_in("district")
    page.goto(f"{live_server.url}/meetings/{seeded.meeting.id}/summary")
    box = page.get_by_role("region", name="明细")

    box.focus()
    page.keyboard.press("ArrowRight")
    assert scrolled_left(box) > 0

    # Scrolled until only the last glyph of the first figure's header (a 「）」) is past the booth column.
    page.locator("table.summary th").nth(1).scroll_into_view_if_needed()
    booth_header = page.locator("table.summary th").nth(1).bounding_box()
    edge = booth_header["x"] + booth_header["width"]
    box.evaluate("(node, edge) => { const text = document.createRange();"
                 " text.selectNodeContents(node.querySelector('th:nth-child(3)'));"
                 " node.scrollLeft += text.getBoundingClientRect().right - edge - 14; }", edge)
    band = page.screenshot(clip={"x": edge + 1, "y": booth_header["y"], "width": 14, "height": booth_header["height"]})
    darkest, _lightest = Image.open(io.BytesIO(band)).convert("L").getextrema()
    assert darkest > 230  # white: nothing of the scrolled header shows there
    assert_accessible(page, "summary-scrolled-1366x768")


def scrolled_left(box) -> float:
    """How far the box has scrolled sideways once a (smooth) keyboard scroll has come to rest."""
    seen = [box.evaluate("node => node.scrollLeft")]
    for _ in range(40):
        box.page.wait_for_timeout(50)
        seen.append(box.evaluate("node => node.scrollLeft"))
        if seen[-1] == seen[-2] > 0:
            break
    return seen[-1]


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
    assert_accessible(page, "meeting-1366x768")


def staff_pages(meeting) -> list[str]:
    """Every page a district admin opens (forms empty, lists with their seeded rows), by path."""
    venue = meeting.venues[0]
    booth = venue.booths[0]
    district_admin = account("district")
    town = account("renhe").org
    return [
        "/meetings", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/summary", "/meetings/new",
        f"/meetings/{meeting.id}/edit", f"/meetings/{meeting.id}/copy", f"/meetings/{meeting.id}/venues/new",
        f"/meetings/{meeting.id}/venues/import", f"/meetings/{meeting.id}/booth-accounts",
        f"/meetings/{meeting.id}/booth-passes", f"/meetings/{meeting.id}/display-links/venues",
        f"/venues/{venue.id}/edit", f"/venues/{venue.id}/booths/new", f"/booths/{booth.id}/edit",
        "/review", f"/review/{make_application(venue).id}", "/cards", "/exports",
        "/ledger", "/ledger/new", "/ledger/import", "/overview", "/unions", "/unions/new", f"/unions/{town.id}/edit",
        "/unions/import", "/accounts", "/accounts/new", f"/accounts/{district_admin.id}/edit", "/account/password",
        "/audit",
    ]


def test_every_staff_page_has_nothing_for_axe_at_1366(live_server, page, sign_in, seeded):
    page.set_viewport_size(LAPTOP)
    paths = staff_pages(seeded.meeting)
    booth = seeded.meeting.venues[0].booths[0]
    audit.record(account("booth"), "tally_undo", "tally", 1, {"kind": "materials", "quantity": 5, "booth_id": booth.id},
                 "10.0.0.7")
    audit.record(None, "application.recover", "membership_application", 1,
                 {"from_worker_id": make_worker().id, "to_worker_id": make_worker().id, "proof": "code"})
    db.session.commit()
    sign_in("district")
    failing = {}
    for path in paths:
        page.goto(live_server.url + path)
        try:
            assert_accessible(page, "staff" + path.replace("/", "-"))
        except AssertionError:
            failing[path] = axe_violations(page)
    assert failing == {}, failing


@pytest.mark.parametrize(("username", "path", "message"), [
    ("renhe", "/audit", "没有权限执行此操作"),
    (None, "/display/no-such-link", "大屏链接无效或已停用"),
])
def test_an_error_page_leads_with_its_chinese_message_and_keeps_the_code_small(
    live_server, page, sign_in, seeded, username, path, message
):
    page.set_viewport_size(LAPTOP)
    if username:
        sign_in(username)
    page.goto(live_server.url + path)
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == message
    code = page.locator(".support-code")
    size = "node => parseFloat(getComputedStyle(node).fontSize)"
    assert code.evaluate(size) < page.locator("body").evaluate(size) < heading.evaluate(size)  # small print
    assert code.bounding_box()["y"] > heading.bounding_box()["y"]
    assert_accessible(page, "error" + path.replace("/", "-"))
