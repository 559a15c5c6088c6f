"""In a real browser: the big screen shows a join within 2 s of its submission, without a reload."""

import pytest

pytestmark = pytest.mark.browser


def test_a_join_appears_on_the_big_screen_without_a_reload(live_server, page, seeded, mp_worker, join_form):
    page.goto(f"{live_server.url}/display/{seeded.display_token}")
    page.locator("#connection", has_text="实时").wait_for()
    assert page.locator("#total-joins").inner_text() == "0"

    response = mp_worker("zhang").join(join_form(name="张三丰"))
    assert response.status_code == 201

    page.locator("#total-joins", has_text="1").wait_for(timeout=2000)
    page.locator("#recent-joins li", has_text="张**").wait_for(timeout=2000)
    assert page.locator("#venue-rows tr").first.locator("td").nth(1).inner_text() == "1"
