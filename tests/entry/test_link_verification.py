"""WeChat's domain check for 普通链接二维码 (issue 24 item 4): the one file configured in WECHAT_LINK_VERIFY_FILE is
served at the site root, byte for byte; any other name there is 404, and nothing is served unconfigured."""

import pytest

from app.config import ConfigError, link_verify_file

NAME, CONTENT = "a1B2c3D4e5.txt", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture
def app_settings(app_settings, monkeypatch):
    monkeypatch.setenv("WECHAT_LINK_VERIFY_FILE", f"{NAME}:{CONTENT}")
    return app_settings


def test_the_configured_verification_file_is_served_at_the_root_exactly(client):
    response = client.get(f"/{NAME}")
    assert (response.status_code, response.mimetype) == (200, "text/plain")
    assert response.get_data(as_text=True) == CONTENT


def test_no_other_file_is_served_at_the_root(client):
    assert client.get("/b1C2d3E4f5.txt").status_code == 404
    assert client.get(f"/q/{NAME}").status_code != 200


def test_unconfigured_there_is_no_verification_file(app, client):
    app.config["WECHAT_LINK_VERIFY_FILE"] = None
    assert client.get(f"/{NAME}").status_code == 404


@pytest.mark.parametrize("value", ["abc.txt", "abc.html:123", "../etc/passwd.txt:1", ":123"])
def test_a_malformed_setting_stops_the_start_naming_the_expected_shape(value):
    with pytest.raises(ConfigError, match="<name>.txt:<content>"):
        link_verify_file(value)
