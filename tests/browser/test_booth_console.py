"""In a real browser on a phone: booth taps made offline are counted once when back; the last tap can be undone."""

from pathlib import Path

import pytest

from app.services.live import intake_counters, reports
from tests.browser_fixtures import assert_accessible, small_tap_targets
from tests.factories import id_number, make_application

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def sign_in_at_console(page, live_server, sign_in, booth):
    sign_in("booth")
    page.goto(f"{live_server.url}/booths/{booth.id}/console")


def booth_values(meeting_id, booth):
    return intake_counters.meeting_counts(meeting_id).values_of("booth", booth.id)


def test_taps_made_offline_are_sent_when_the_phone_is_back(live_server, page, sign_in, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    meeting_id = seeded.meeting.id
    sign_in_at_console(page, live_server, sign_in, booth)

    page.context.set_offline(True)
    for _ in range(3):
        page.get_by_role("button", name="咨询 +1", exact=True).click()
    page.locator("#sync", has_text="离线").wait_for()
    assert booth_values(meeting_id, booth)["consultations"] == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#sync", has_text="已同步").wait_for()
    assert booth_values(meeting_id, booth)["consultations"] == 3
    page.locator('[data-scope="booth"] [data-metric="consultations"]', has_text="3").wait_for()


def test_a_tap_whose_answer_was_lost_is_replayed_and_counted_once(live_server, page, sign_in, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    sign_in_at_console(page, live_server, sign_in, booth)
    lost = []

    def lose_first_answer(route):
        route.fetch()  # the server counts it...
        if not lost:
            lost.append(route.request.post_data_json["idempotency_key"])
            route.abort()  # ...but the phone never hears back
        else:
            route.continue_()

    page.route("**/tallies", lose_first_answer)
    page.get_by_label("宣传材料（份）").fill("40")
    page.get_by_role("button", name="宣传材料 +N").click()
    page.locator("#sync", has_text="已保存").wait_for()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#sync", has_text="已同步").wait_for()

    assert booth_values(seeded.meeting.id, booth)["materials"] == 40


def test_on_a_phone_the_counters_and_last_tap_are_on_top_and_a_tap_can_be_undone(live_server, page, sign_in, seeded):
    booth = seeded.meeting.venues[0].booths[2]  # 法律咨询岗
    meeting_id = seeded.meeting.id
    sign_in_at_console(page, live_server, sign_in, booth)
    counter = page.locator('[data-scope="booth"] [data-metric="legal"]')
    counter.filter(has_text="0").wait_for()
    for selector in ('[data-scope="booth"]', ".last-action", "button.tap"):
        locator = page.locator(selector).first
        box = locator.bounding_box()
        assert box["y"] + box["height"] <= 844, box

    button = page.get_by_role("button", name="法律咨询 +1")
    button.click()
    assert button.evaluate("node => node.classList.contains('confirmed') && node.dataset.confirm") == "✓ 已记 +1"
    counter.filter(has_text="1").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "booth-console-390x844.png")
    assert booth_values(meeting_id, booth)["legal"] == 1

    assert page.locator(".topbar").bounding_box()["height"] < 60  # one line, not three
    page.get_by_role("button", name="撤销").click()
    counter.filter(has_text="0").wait_for()
    page.locator("#last-tap", has_text="已撤销：法律咨询 +1").wait_for()
    values = booth_values(meeting_id, booth)
    assert (values["legal"], values["consultations"]) == (0, 0)
    assert reports.day_summary(seeded.meeting).total.values["legal"] == 0


def test_a_materials_count_out_of_range_is_refused_on_the_phone_naming_the_range(live_server, page, sign_in, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    sign_in_at_console(page, live_server, sign_in, booth)
    page.get_by_label("宣传材料（份）").fill("5000")
    page.get_by_role("button", name="宣传材料 +N").click()

    page.locator("#materials-error", has_text="宣传材料份数应为 1–1000 的整数").wait_for()
    assert booth_values(seeded.meeting.id, booth)["materials"] == 0
    assert_accessible(page, "booth-console-materials-refused")


def test_every_tap_target_on_the_booth_phone_is_at_least_44_px(live_server, page, sign_in, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    sign_in_at_console(page, live_server, sign_in, booth)
    page.locator('[data-scope="booth"] [data-metric="consultations"]', has_text="0").wait_for()
    assert small_tap_targets(page) == []
    assert_accessible(page, "booth-console-390x844")

    page.goto(f"{live_server.url}/booth")
    assert small_tap_targets(page) == []
    assert_accessible(page, "booth-my-booths-390x844")

    worker_id_number = id_number()
    make_application(seeded.meeting.venues[0], id_no=worker_id_number)
    page.goto(f"{live_server.url}/booths/{booth.id}/lookup")
    page.fill("#lookup-id-number", worker_id_number)
    page.get_by_role("button", name="查询").click()
    page.locator("summary", has_text="作废这份申请").click()
    assert small_tap_targets(page) == []
    assert_accessible(page, "booth-lookup-390x844")


def test_logging_out_is_a_separate_button_away_from_the_name(live_server, page, sign_in, seeded):
    sign_in_at_console(page, live_server, sign_in, seeded.meeting.venues[0].booths[0])
    logout = page.get_by_role("button", name="退出").bounding_box()
    name = page.locator(".topbar .who").bounding_box()
    assert logout["x"] - (name["x"] + name["width"]) >= 12  # a thumb on the name does not reach it
