"""In a real browser: the big screen shows a join within 2 s of its submission, without a reload."""

import pytest

from app.services import intake_counters
from tests.factories import make_application

pytestmark = pytest.mark.browser


def test_a_join_appears_on_the_big_screen_without_a_reload(live_server, page, seeded):
    meeting = seeded.meeting
    page.goto(f"{live_server.url}/display/{seeded.display_token}")
    page.locator("#connection", has_text="实时").wait_for()
    assert page.locator("#total-joins").inner_text() == "0"

    join_booth = meeting.venues[0].booths[1]
    application = make_application(meeting.venues[0], name="张三丰", booth_id=join_booth.id)
    intake_counters.application_submitted(application)

    page.locator("#total-joins", has_text="1").wait_for(timeout=2000)
    page.locator("#recent-joins li", has_text="张**").wait_for(timeout=2000)
    assert page.locator("#venue-rows tr").first.locator("td").nth(1).inner_text() == "1"
