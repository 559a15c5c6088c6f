"""Per-booth links: a volunteer without an account counts at one booth, only while the meeting is open."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, MeetingStatus, Tally
from app.services.setup import booth_passes, booth_staff, meetings
from tests.booth.test_console import tap
from tests.conftest import StaffSession, csrf_token_from
from tests.factories import account


def enter(app, booth_pass) -> StaffSession:
    """A phone that opens the link and presses 进入计数页."""
    phone = StaffSession(app.test_client())
    page = phone.get(f"/b/{booth_pass.token}")
    assert page.status_code == 200 and "进入计数页" in page.text
    entered = phone.client.post(f"/b/{booth_pass.token}", data={"csrf_token": csrf_token_from(page.text)})
    assert entered.status_code == 302 and entered.location.endswith(f"/booths/{booth_pass.booth_id}/console")
    return phone


def console_token(phone, booth) -> str:
    page = phone.get(f"/booths/{booth.id}/console")
    assert page.status_code == 200
    return re.search(r'data-csrf-token="([^"]+)"', page.text).group(1)


def test_a_volunteer_enters_by_the_link_and_taps_are_counted_as_the_links(app, seeded):
    booth = seeded.meeting.venues[0].booths[1]
    booth_pass = booth_passes.issue(account("district"), booth, "张同学")
    phone = enter(app, booth_pass)
    answer = tap(phone, booth, console_token(phone, booth), idempotency_key="pass-tap-00001", kind="consultation")
    assert answer.status_code == 201
    tally = db.session.get(Tally, answer.json["id"])
    assert tally.staff_id == booth_pass.guest_user_id
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "booth_pass.enter")).all()
    assert [entry.target_id for entry in entries] == [booth_pass.id]


def test_a_link_opens_only_its_own_booth_and_no_person_lookup(app, seeded):
    booth, other = seeded.meeting.venues[0].booths[:2]
    phone = enter(app, booth_passes.issue(account("district"), booth))
    assert phone.get(f"/booths/{other.id}/console").status_code == 403
    assert phone.get(f"/booths/{booth.id}/lookup").status_code == 403
    assert "查询职工的入会申请" not in phone.get(f"/booths/{booth.id}/console").text


def test_a_revoked_link_signs_its_phones_out_and_opens_no_more(app, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    booth_pass = booth_passes.issue(account("district"), booth)
    phone = enter(app, booth_pass)
    booth_passes.revoke(account("district"), booth_pass)
    assert phone.get(f"/booths/{booth.id}/console").status_code == 302  # back to the login page
    assert phone.get(f"/b/{booth_pass.token}").status_code == 404


def test_a_link_dies_with_its_meeting(app, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    booth_pass = booth_passes.issue(account("district"), booth)
    phone = enter(app, booth_pass)
    meetings.change_status(account("district"), seeded.meeting, MeetingStatus.CLOSED)
    assert phone.get(f"/booths/{booth.id}/console").status_code == 403
    landing = StaffSession(app.test_client()).get(f"/b/{booth_pass.token}")
    assert landing.status_code == 410 and "岗位链接已失效" in landing.text


def test_an_unknown_link_is_a_404_in_chinese(client, seeded):
    response = client.get("/b/not-a-real-token")
    assert response.status_code == 404 and "岗位链接无效或已停用" in response.text


def test_guest_accounts_behind_links_are_not_offered_as_booth_staff(seeded):
    booth = seeded.meeting.venues[0].booths[0]
    booth_passes.issue(account("district"), booth)
    assert [user.username for user in booth_staff.staff_choices(account("district"), booth)] == ["booth"]


def test_booth_staff_lose_their_console_and_lookup_when_the_meeting_closes(staff_login, seeded):
    booth = account("booth").booths[0]
    staff = staff_login("booth")
    assert staff.get(f"/booths/{booth.id}/console").status_code == 200
    meetings.change_status(account("district"), seeded.meeting, MeetingStatus.CLOSED)
    assert staff.get(f"/booths/{booth.id}/console").status_code == 403
    assert staff.get(f"/booths/{booth.id}/lookup").status_code == 403
