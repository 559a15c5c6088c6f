"""The mini-program's API client against this app served on a free port: a correction whose first answer is lost
is retried and the retry answered as success (miniprogram/tests/contract/correction.contract.js)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.afterday import review

CONTRACT = Path(__file__).resolve().parents[2] / "miniprogram" / "tests" / "contract" / "correction.contract.js"
LOGIN_CODE = "correction-phone"


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings, "WECHAT_TIMEOUT": 2}


@pytest.fixture
def returned_application(app, join_form) -> int:
    """The id of an application the phone behind LOGIN_CODE filed and renhe returned for its employer."""
    client = app.test_client()
    token = client.post("/mp/v1/auth/login", json={"code": LOGIN_CODE}).json["token"]
    joined = client.post("/mp/v1/membership-applications", json=join_form(),
                         headers={"Authorization": f"Bearer {token}"})
    renhe = db.session.scalar(select(User).where(User.username == "renhe"))
    review.return_for_correction(renhe, joined.json["id"], "请填写单位全称", fields=["employer"])
    return joined.json["id"]


def test_a_correction_retried_after_its_answer_was_lost_is_answered_as_done(live_server, returned_application):
    node = shutil.which("node")
    assert node, "Node 20 runs the mini-program's modules"
    env = {
        **os.environ, "API_BASE_URL": f"{live_server.url}/mp/v1", "LOGIN_CODE": LOGIN_CODE,
        "APPLICATION_ID": str(returned_application), "EMPLOYER": "北京顺义物流有限公司仁和分公司",
    }
    run = subprocess.run([node, "--test", str(CONTRACT)], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 1" in run.stdout
