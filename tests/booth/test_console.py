"""The booth console over HTTP: booth staff tap with a CSRF header and an idempotency key."""

import re

from app.services.live import intake_counters


def console_of(staff, booth):
    page = staff.get(f"/booths/{booth.id}/console")
    assert page.status_code == 200
    return re.search(r'data-csrf-token="([^"]+)"', page.text).group(1)


def tap(staff, booth, token, **body):
    return staff.client.post(f"/api/booths/{booth.id}/tallies", json=body, headers={"X-CSRFToken": token})


def test_booth_staff_tap_consultations_and_a_replayed_tap_is_answered_200_and_not_counted(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    token = console_of(staff, booth)

    first = tap(staff, booth, token, idempotency_key="tap-console-0001", kind="consultation")
    replay = tap(staff, booth, token, idempotency_key="tap-console-0001", kind="consultation")
    materials = tap(staff, booth, token, idempotency_key="tap-console-0002", kind="materials", quantity=25)

    assert (first.status_code, replay.status_code, materials.status_code) == (201, 200, 201)
    assert replay.json["id"] == first.json["id"] and replay.json["created"] is False
    values = intake_counters.meeting_counts(seeded.meeting.id).values_of("booth", booth.id)
    assert (values["consultations"], values["materials"]) == (1, 25)


def test_a_tap_without_the_csrf_header_is_refused(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    response = staff.client.post(f"/api/booths/{booth.id}/tallies", json={"idempotency_key": "tap-x-00001"})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_a_bad_quantity_is_a_422_naming_the_field(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    response = tap(staff, booth, console_of(staff, booth), idempotency_key="tap-console-0003", kind="materials",
                   quantity=0)
    assert response.status_code == 422 and "quantity" in response.json["error"]["fields"]


def test_a_tap_without_a_kind_or_key_is_a_422_naming_both(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    response = tap(staff, booth, console_of(staff, booth), quantity="many")
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"idempotency_key", "kind", "quantity"}


def test_booth_staff_see_only_their_assigned_booths(staff_login, seeded):
    staff = staff_login("booth")
    my_booths = staff.get("/booth").text
    assert "法律咨询岗" in my_booths and "后沙峪镇职工服务中心" not in my_booths
    other_booth = seeded.meeting.venues[1].booths[0]
    assert staff.get(f"/booths/{other_booth.id}/console").status_code == 403



def test_booth_staff_undo_their_last_tap_and_a_retried_undo_is_answered_200(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    token = console_of(staff, booth)
    tap(staff, booth, token, idempotency_key="tap-console-0100", kind="materials", quantity=30)

    def undo(key):
        return staff.client.post(f"/api/booths/{booth.id}/tallies/undo", headers={"X-CSRFToken": token},
                                 json={"idempotency_key": key, "undoes": "tap-console-0100"})

    first, retry = undo("undo-console-0100"), undo("undo-console-0101")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json["quantity"] == -30 and retry.json["id"] == first.json["id"]
    assert intake_counters.meeting_counts(seeded.meeting.id).values_of("booth", booth.id)["materials"] == 0


def test_booth_staff_are_not_offered_meeting_pages_they_may_not_open(staff_login, seeded):
    staff = staff_login("booth")
    page = staff.get("/booth").text
    assert 'href="/meetings"' not in page and "我的岗位" in page
    assert staff.get(f"/meetings/{seeded.meeting.id}").status_code == 403
    assert 'href="/meetings"' in staff_login("renhe").get("/meetings").text
