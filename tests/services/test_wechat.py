"""Our wechatpy client against the fake WeChat server: URLs, timeouts, the token, error mapping."""

import pytest

from app import create_app
from app.errors import AppError
from app.services import wechat
from tests.conftest import settings_for


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings, "WECHAT_TIMEOUT": 1}


def test_code_to_session_returns_the_openid_and_keeps_the_session_key(app, fake_wechat):
    session = wechat.code_to_session("abc")
    assert (session.openid, session.unionid, session.session_key) == ("oid-abc", "uid-abc", "sk-abc")
    assert fake_wechat.calls_to("/sns/jscode2session")[0]["js_code"] == "abc"


@pytest.mark.parametrize(
    ("errcode", "code", "status"),
    [(40029, "wechat_code_invalid", 401), (40163, "wechat_code_invalid", 401),
     (45011, "wechat_rate_limited", 429), (-1, "wechat_unavailable", 503)],
)
def test_wechat_errors_map_to_stable_codes(app, errcode, code, status):
    with pytest.raises(AppError) as caught:
        wechat.code_to_session(f"err:{errcode}")
    assert (caught.value.code, caught.value.status) == (code, status)
    assert "微信" in caught.value.message


def test_a_slow_wechat_times_out_as_unavailable(app):
    with pytest.raises(AppError) as caught:
        wechat.code_to_session("sleep:3")
    assert caught.value.code == "wechat_unavailable"
    assert caught.value.retry_after


def test_the_access_token_is_fetched_from_the_configured_host_once(app, fake_wechat):
    assert wechat.phone_number("phone:13912345678") == "13912345678"
    assert wechat.phone_number("any") == "13800138000"
    assert len(fake_wechat.calls_to("/cgi-bin/token")) == 1


@pytest.mark.scaled_only
def test_worker_processes_share_the_access_token_through_redis(app, app_settings, fake_wechat):
    wechat.phone_number("one")
    with create_app(app_settings).app_context():
        wechat.phone_number("two")
    assert len(fake_wechat.calls_to("/cgi-bin/token")) == 1


def test_wxa_code_errors_are_clear_for_staff(app):
    with pytest.raises(AppError) as caught:
        wechat.wxa_code_png("abc", "pages/invalid")
    assert caught.value.code == "wechat_invalid_page"
    assert wechat.wxa_code_png("abc", "pages/join/index").startswith(b"\x89PNG")


def test_without_wechat_configured_calls_say_so(migrated_database_url):
    with create_app(settings_for(migrated_database_url)).app_context(), pytest.raises(AppError) as caught:
        wechat.code_to_session("abc")
    assert caught.value.code == "wechat_not_configured"


