"""In a real browser: destructive staff buttons ask first, under a CSP that forbids inline handlers."""

import pytest

from app.services.setup import entry_codes
from tests.browser_fixtures import assert_accessible

pytestmark = pytest.mark.browser


def test_dismissing_the_revoke_question_keeps_the_code_and_accepting_revokes_it(live_server, page, sign_in, seeded):
    code = entry_codes.active_codes(seeded.meeting)[0].code
    sign_in("district")
    page.goto(f"{live_server.url}/meetings/{seeded.meeting.id}")
    revoke = page.locator(f'[data-code="{code}"]').get_by_role("button", name="停用")

    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    page.wait_for_load_state()
    assert code in [c.code for c in entry_codes.active_codes(seeded.meeting)]

    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    page.get_by_text("已停用").first.wait_for()
    assert_accessible(page, "meeting-code-revoked")
    assert code not in [c.code for c in entry_codes.active_codes(seeded.meeting)]
