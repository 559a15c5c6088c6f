"""In a real browser: the meeting field suggests, as one types, only the meetings the user sees (its script runs
under the Content-Security-Policy), and a picked meeting narrows the review queue. Screenshots of the review
queue and the card desk at 1366×768."""

from pathlib import Path

import pytest

from tests.browser_fixtures import assert_accessible
from tests.volume import seed_people

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}


def suggestions(page) -> list[str]:
    return page.eval_on_selector_all("#meeting-choices option", "options => options.map(o => o.value)")


def test_typing_suggests_the_users_own_meetings_and_a_pick_narrows_the_queue(live_server, page, sign_in, seeded,
                                                                            renhe_meeting):
    seed_people(6, [next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇"), renhe_meeting.venues[0]])
    label = f"仁和镇快递小哥沟通会（2026-12-09）#{renhe_meeting.id}"
    sign_in("renhe")
    page.goto(live_server.url + "/review")
    with page.expect_response(lambda response: "/meetings/search?q=" in response.url):
        page.get_by_label("沟通会").fill("快递")
    page.wait_for_function("document.querySelectorAll('#meeting-choices option').length === 1")
    assert suggestions(page) == [label]
    page.get_by_label("沟通会").fill(label)
    page.get_by_role("button", name="查找").click()
    page.get_by_text("共 2 份").wait_for()
    assert page.get_by_label("沟通会").input_value() == label
    assert_accessible(page, "review-queue-one-meeting")


def test_another_town_is_suggested_none_of_them(live_server, page, sign_in, seeded, renhe_meeting):
    sign_in("tianzhu")
    page.goto(live_server.url + "/cards")
    assert renhe_meeting.title not in page.content()
    with page.expect_response(lambda response: "/meetings/search?q=" in response.url):
        page.get_by_label("沟通会").fill("快递")
    page.wait_for_timeout(100)
    assert suggestions(page) == []
    assert_accessible(page, "cards-desk")


def test_the_queue_and_the_card_desk_at_1366(live_server, page, sign_in, seeded):
    seed_people(180, seeded.meeting.venues)
    page.set_viewport_size(DESKTOP)
    sign_in("district")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path, name in (("/review", "review-1366x768.png"), ("/cards", "cards-1366x768.png")):
        page.goto(live_server.url + path)
        page.get_by_role("link", name="下一页").wait_for()
        page.screenshot(path=SCREENSHOTS / name)
        page.screenshot(path=SCREENSHOTS / name.replace(".png", "-full.png"), full_page=True)
        assert_accessible(page, name.removesuffix(".png"))
