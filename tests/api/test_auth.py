"""Signing in to /mp/v1: the dev login, the H5 visitor, our own bearer tokens, and the login limit."""

import pytest

from app.extensions import db
from app.models import Worker
from tests.mp_fixtures import API


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "RATELIMIT_MP_LOGIN": "3/minute"}


def test_a_dev_login_gives_a_token_that_opens_me(client):
    login = client.post(f"{API}/auth/login", json={"code": "dev:wang"})
    assert login.status_code == 200
    assert login.json["expires_in"] > 0 and login.json["worker"]["kind"] == "dev"
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {login.json['token']}"})
    assert me.status_code == 200 and me.json["worker"]["id"] == login.json["worker"]["id"]


def test_logging_in_twice_is_the_same_worker(client):
    first = client.post(f"{API}/auth/login", json={"code": "dev:li"}).json["worker"]["id"]
    assert client.post(f"{API}/auth/login", json={"code": "dev:li"}).json["worker"]["id"] == first
    assert db.session.query(Worker).count() == 1


def test_without_wechat_a_code_that_is_not_a_dev_code_is_refused(client):
    response = client.post(f"{API}/auth/login", json={"code": "0a1b2c"})
    assert (response.status_code, response.json["error"]["code"]) == (401, "wechat_code_invalid")


def test_the_dev_login_is_off_when_disabled(app, client):
    app.config["DEV_LOGIN_ENABLED"] = False
    response = client.post(f"{API}/auth/login", json={"code": "dev:wang"})
    assert (response.status_code, response.json["error"]["code"]) == (503, "wechat_not_configured")


def test_the_h5_page_gets_a_visitor_token_only_when_enabled(app, client):
    visitor = client.post(f"{API}/auth/h5")
    assert visitor.status_code == 200 and visitor.json["worker"]["kind"] == "h5"
    app.config["H5_JOIN_ENABLED"] = False
    assert client.post(f"{API}/auth/h5").json["error"]["code"] == "h5_disabled"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_every_endpoint_but_login_needs_a_valid_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 401
    assert response.json == {"error": {"code": "unauthorized", "message": "请先登录", "fields": {}}}


def test_an_expired_token_says_so(app, client):
    token = client.post(f"{API}/auth/login", json={"code": "dev:old"}).json["token"]
    app.config["MP_TOKEN_TTL_SECONDS"] = -1
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json["error"]["code"]) == (401, "token_expired")


def test_a_token_signed_with_another_secret_is_refused(app, client):
    token = client.post(f"{API}/auth/login", json={"code": "dev:wang"}).json["token"]
    app.config["SECRET_KEY"] = "another-secret"
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_too_many_logins_from_one_address_get_429_with_retry_after(client):
    for attempt in range(3):
        assert client.post(f"{API}/auth/login", json={"code": f"dev:w{attempt}"}).status_code == 200
    limited = client.post(f"{API}/auth/login", json={"code": "dev:w9"})
    assert (limited.status_code, limited.json["error"]["code"]) == (429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0


def test_the_openapi_document_is_generated_and_public(client):
    spec = client.get(f"{API}/openapi.json").json
    assert {"/mp/v1/auth/login", "/mp/v1/membership-applications", "/mp/v1/me"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
