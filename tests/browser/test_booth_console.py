"""In a real browser: booth taps made offline wait in localStorage and are counted once when back."""

import pytest

from app.services.live import intake_counters

pytestmark = pytest.mark.browser


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
