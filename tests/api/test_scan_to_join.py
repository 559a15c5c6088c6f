"""A worker's whole visit through the fake WeChat server: login → phone → entry → join → card → me."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Scan, Worker
from tests.mp_fixtures import API, WorkerClient


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings, "WECHAT_TIMEOUT": 1}


def wechat_login(client, code: str):
    return client.post(f"{API}/auth/login", json={"code": code})


def test_a_worker_scans_joins_and_applies_for_the_card(client, seeded, fake_wechat, entry_code, join_form):
    login = wechat_login(client, "wx-code-1")
    assert login.status_code == 200 and "session_key" not in login.text
    worker = WorkerClient(client, login.json["token"])

    phone = worker.post("/auth/phone", {"code": "phone:13912345678"})
    assert phone.json["phone"] == "139****5678"

    entry = worker.get(f"/entries/{entry_code}")
    assert entry.json["actions"] == ["join"] and entry.json["venue"]["host_org_name"] == "仁和镇"
    assert "快递员" in entry.json["form_options"]["new_form_job"]

    form = join_form(mobile=None)
    joined = worker.join(form)
    assert joined.status_code == 201 and joined.json["mobile"] == "139****5678"
    assert joined.json["id_number"] == form["id_number"][:3] + "*" * 11 + form["id_number"][-4:]

    card_form = {"entry_code": entry_code, "delivery": "onsite", "consent": True}
    card = worker.post("/mutual-aid-card-applications", card_form)
    assert card.status_code == 201 and card.json["status"] == "pending"

    me = worker.get("/me").json
    assert [a["status"] for a in me["membership_applications"]] == ["submitted"]
    assert [c["status_label"] for c in me["card_applications"]] == ["待报送"]
    assert worker.get(f"/entries/{entry_code}").json["actions"] == []

    stored = db.session.query(Worker).one()
    assert (stored.openid, stored.unionid) == ("oid-wx-code-1", "uid-wx-code-1")
    assert b"sk-wx-code-1" not in stored.session_key_enc and b"13912345678" not in stored.phone_enc
    assert db.session.query(Scan).count() == 1  # the second open, minutes later, is the same visit


@pytest.mark.parametrize(
    ("wechat_code", "status", "code"),
    [
        ("err:40029", 401, "wechat_code_invalid"),
        ("err:40163", 401, "wechat_code_invalid"),
        ("err:45011", 429, "wechat_rate_limited"),
        ("err:-1", 503, "wechat_unavailable"),
        ("sleep:3", 503, "wechat_unavailable"),
    ],
)
def test_wechat_login_failures_reach_the_phone_as_stable_codes(client, wechat_code, status, code):
    response = wechat_login(client, wechat_code)
    assert (response.status_code, response.json["error"]["code"]) == (status, code)
    assert "微信" in response.json["error"]["message"]
    assert db.session.query(Worker).count() == 0


@pytest.mark.parametrize(
    ("phone_code", "status", "code"),
    [("err:40029", 401, "wechat_code_invalid"), ("err:45011", 429, "wechat_rate_limited"),
     ("err:-1", 503, "wechat_unavailable")],
)
def test_phone_verification_failures_are_mapped_and_store_nothing(client, phone_code, status, code):
    worker = WorkerClient(client, wechat_login(client, "wx-code-2").json["token"])
    response = worker.post("/auth/phone", {"code": phone_code})
    assert (response.status_code, response.json["error"]["code"]) == (status, code)
    if status == 429:
        assert response.headers["Retry-After"]
    assert db.session.query(Worker).one().phone_enc is None


def test_with_wechat_configured_a_dev_code_goes_to_wechat_and_never_logs_in_a_dev_worker(client, fake_wechat):
    response = wechat_login(client, "dev:wang")
    assert response.json["worker"]["kind"] == "wechat"
    assert fake_wechat.calls_to("/sns/jscode2session")[0]["js_code"] == "dev:wang"


def test_opening_a_code_again_within_ten_minutes_is_one_scan_and_another_worker_is_another(
    mp_worker, entry_code
):
    wang, li = mp_worker("wang"), mp_worker("li")
    for _ in range(3):
        assert wang.get(f"/entries/{entry_code}").status_code == 200
    assert li.get(f"/entries/{entry_code}").status_code == 200
    scans = db.session.scalars(select(Scan)).all()
    assert len(scans) == 2 and len({scan.worker_id for scan in scans}) == 2


def test_one_address_opening_codes_too_often_is_refused_with_429(app, mp_worker, entry_code):
    app.config["RATELIMIT_SCAN_PER_IP"] = "2/minute"
    workers = [mp_worker(f"visitor-{n}") for n in range(3)]
    assert [w.get(f"/entries/{entry_code}").status_code for w in workers] == [200, 200, 429]
    assert db.session.scalar(select(func.count(Scan.id))) == 2
