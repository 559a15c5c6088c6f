"""`/q/<code>`: what a phone sees after scanning a poster."""

from app.services.setup import entry_codes


def booth_code(meeting, town: str, booth_name: str) -> str:
    return next(
        c.code
        for c in entry_codes.active_codes(meeting)
        if c.venue.host_org.name == town and c.booth and c.booth.name == booth_name
    )


def test_a_booth_code_shows_the_meeting_venue_and_booth(client, seeded):
    response = client.get(f"/q/{booth_code(seeded.meeting, '后沙峪镇', '互助服务卡岗')}")
    assert response.status_code == 200
    for text in ["顺义区职工沟通会", "分会场 · 后沙峪镇职工服务中心", "互助服务卡岗"]:
        assert text in response.text


def test_an_unknown_code_gets_a_chinese_404_page(client, seeded):
    response = client.get("/q/NoSuchCode12")
    assert response.status_code == 404
    assert "二维码无效或已停用" in response.text
    assert "/login" not in response.text


def test_a_closed_meetings_codes_answer_410_meeting_over(client, seeded, staff_login):
    code = booth_code(seeded.meeting, "仁和镇", "入会岗")
    staff_login("district").post_form(f"/meetings/{seeded.meeting.id}/status", {"status": "closed"})
    response = client.get(f"/q/{code}")
    assert response.status_code == 410
    assert "本场沟通会已结束" in response.text


def test_one_address_opening_poster_pages_too_often_is_refused_with_429(app, client, seeded):
    app.config["RATELIMIT_SCAN_PER_IP"] = "2/minute"
    url = f"/q/{booth_code(seeded.meeting, '仁和镇', '入会岗')}"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
