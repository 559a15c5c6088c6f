"""`/q/<code>` in a phone's browser: the H5 join form when H5_JOIN_ENABLED, else a pointer to the mini-program."""

from app.services.setup import entry_codes


def any_booth_code(meeting) -> str:
    return next(c.code for c in entry_codes.active_codes(meeting) if c.booth)


def test_with_h5_sign_up_on_the_page_carries_the_join_form_on_the_api(client, seeded):
    response = client.get(f"/q/{any_booth_code(seeded.meeting)}")
    assert response.status_code == 200
    for marker in ['id="join-form"', 'data-api="/mp/v1"', "h5.js", 'inputmode="numeric"', "提交入会申请"]:
        assert marker in response.text


def test_with_h5_sign_up_off_the_page_only_points_to_the_mini_program(app, client, seeded):
    app.config["H5_JOIN_ENABLED"] = False
    response = client.get(f"/q/{any_booth_code(seeded.meeting)}")
    assert "请用微信扫一扫" in response.text
    assert "join-form" not in response.text
