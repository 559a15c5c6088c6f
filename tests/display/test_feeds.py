"""The totals API and the live stream: who may read them, ETag/304, snapshot first, absolute updates."""

import json

import pytest

from app.extensions import db
from app.models import Venue
from app.services.live import display_links, intake_counters, live
from tests.factories import make_application


def totals_url(seeded, token=None):
    suffix = f"?display={token}" if token else ""
    return f"/api/meetings/{seeded.meeting.id}/totals{suffix}"


def sse_events(chunks, count):
    """The first `count` named SSE events of a streamed body, as (event, data) pairs."""
    events = []
    for chunk in chunks:
        for block in chunk.decode().split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines() if line.startswith(("event", "data")))
            if "event" in lines:
                events.append((lines["event"], json.loads(lines["data"])))
        if len(events) >= count:
            return events
    return events


def first_update_with_joins(chunks) -> dict:
    # A periodic reconcile may publish the (unchanged) counters first; the join's update follows.
    for _ in range(5):
        [(event, update)] = sse_events(chunks, 1)
        if event == "update" and update.get("joined"):
            return update
    raise AssertionError("no update carried the join")


def test_the_display_token_reads_totals_with_every_venue_booth_and_town(client, seeded):
    response = client.get(totals_url(seeded, seeded.display_token))

    assert response.status_code == 200
    body = response.json
    assert body["meeting"]["values"]["joins"] == 0
    assert [v["role_label"] for v in body["venues"]] == ["主会场", "分会场", "分会场", "分会场", "分会场"]
    assert len(body["venues"][0]["booths"]) == 4
    assert {org["name"] for org in body["orgs"]} >= {"仁和镇", "天竺镇"}
    assert body["as_of"]


def test_unchanged_totals_answer_304_and_a_join_changes_the_etag(client, seeded):
    first = client.get(totals_url(seeded, seeded.display_token))
    etag = first.headers["ETag"]
    assert client.get(totals_url(seeded, seeded.display_token), headers={"If-None-Match": etag}).status_code == 304

    intake_counters.application_submitted(make_application(seeded.meeting.venues[0]))

    again = client.get(totals_url(seeded, seeded.display_token), headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.json["meeting"]["values"]["joins"] == 1


def test_signed_in_staff_read_totals_without_a_token(staff_login, seeded):
    assert staff_login("viewer").get(totals_url(seeded)).status_code == 200


def test_totals_need_a_session_or_a_live_display_token(client, seeded):
    anonymous = client.get(totals_url(seeded))
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"
    assert client.get(totals_url(seeded, "not-a-token")).status_code == 404

    link = display_links.resolve(seeded.display_token)
    link.revoked_at = link.created_at
    db.session.commit()
    assert client.get(totals_url(seeded, seeded.display_token)).json["error"]["code"] == "display_link_not_found"
    assert client.get(f"/display/{seeded.display_token}").status_code == 404


def test_one_address_opening_the_display_page_too_often_is_refused_with_429(app, client, seeded):
    app.config["RATELIMIT_DISPLAY_PER_IP"] = "2/minute"
    url = f"/display/{seeded.display_token}"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_the_display_page_shows_the_main_entry_qr(client, seeded):
    page = client.get(f"/display/{seeded.display_token}")
    assert page.status_code == 200
    assert "<svg" in page.text and "微信扫码" in page.text


def test_the_stream_opens_with_a_snapshot_then_sends_absolute_values_after_a_join(client, seeded):
    meeting_id, venue_id = seeded.meeting.id, seeded.meeting.venues[0].id
    response = client.get(f"/live/meetings/{meeting_id}/stream?display={seeded.display_token}", buffered=False)
    try:
        assert response.mimetype == "text/event-stream"
        chunks = iter(response.response)
        [(event, snapshot)] = sse_events(chunks, 1)
        assert event == "snapshot" and snapshot["meeting"]["values"]["joins"] == 0

        intake_counters.application_submitted(make_application(db.session.get(Venue, venue_id), name="韩梅梅"))
        update = first_update_with_joins(chunks)
    finally:
        response.close()

    changes = {(c["scope"], c["id"]): c["values"] for c in update["changes"]}
    assert changes[("meeting", meeting_id)]["joins"] == 1
    assert changes[("venue", venue_id)]["joins"] == 1
    assert update["joined"][0]["name"] == "韩**"


def test_a_burst_of_updates_reaches_a_client_as_one_update_with_the_latest_values():
    client = live.LiveClient(meeting_id=7)
    for joins in range(1, 11):
        client.offer(live.Delta({"seq": joins, "changes": [{"scope": "meeting", "id": 7, "values": {"joins": joins}}]}))

    [(event, update)] = sse_events([client.take().encode()], 1)

    assert event == "update"
    assert update == {"seq": 10, "changes": [{"scope": "meeting", "id": 7, "values": {"joins": 10}}]}
    assert client.take() is None


@pytest.mark.parametrize("path", ["/api/meetings/999/totals", "/live/meetings/999/stream"])
def test_an_unknown_meeting_is_404_for_staff(staff_login, path):
    assert staff_login("district").get(path).status_code == 404


def test_a_revoked_display_link_stops_streaming_even_while_joins_keep_coming(client, seeded):
    venue_id = seeded.meeting.venues[0].id
    response = client.get(f"/live/meetings/{seeded.meeting.id}/stream?display={seeded.display_token}",
                          buffered=False)
    try:
        chunks = iter(response.response)
        assert sse_events(chunks, 1)[0][0] == "snapshot"
        link = display_links.resolve(seeded.display_token)
        link.revoked_at = link.created_at
        db.session.commit()

        # Each update is held ≥ 250 ms, so 40 of them span over 10 s: the link is checked every 4 s meanwhile.
        events = []
        for _ in range(40):
            intake_counters.application_submitted(make_application(db.session.get(Venue, venue_id)))
            events += sse_events(chunks, 1)
            if events[-1][0] == "revoked":
                break
        assert events[-1] == ("revoked", {})
        assert next(chunks, None) is None  # the stream has ended
    finally:
        response.close()
