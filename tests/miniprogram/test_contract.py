"""The contract run: the mini-program's own modules in Node, wx bridged to HTTP, against this app served on a
free port with the fake WeChat server behind it (login, phone number, ID-card OCR)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fake_wechat import id_card_photo

JOURNEY = Path(__file__).resolve().parents[2] / "miniprogram" / "tests" / "contract" / "journey.contract.js"
ID_NAME, ID_NUMBER = "王小明", "110113199003071239"


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings, "WECHAT_TIMEOUT": 2}


def test_the_mini_program_modules_run_the_whole_visit_against_the_real_server(
    live_server, entry_code, fake_wechat, tmp_path
):
    node = shutil.which("node")
    assert node, "Node 20 runs the mini-program's modules"
    front, back = tmp_path / "id-front.jpg", tmp_path / "id-back.png"
    front.write_bytes(id_card_photo(f"front:{ID_NAME}:{ID_NUMBER}", image_format="JPEG"))
    back.write_bytes(id_card_photo("back"))
    env = {
        **os.environ,
        "API_BASE_URL": f"{live_server.url}/mp/v1",
        "ENTRY_CODE": entry_code,
        "PHOTO_PATH": str(front),
        "BACK_PHOTO_PATH": str(back),
        "ID_NAME": ID_NAME,
        "ID_NUMBER": ID_NUMBER,
    }
    run = subprocess.run([node, "--test", str(JOURNEY)], capture_output=True, text=True, env=env, timeout=180)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 4" in run.stdout
    logins = {call["js_code"] for call in fake_wechat.calls_to("/sns/jscode2session")}
    assert {"contract-phone-a", "contract-phone-b"} <= logins
    assert len(fake_wechat.calls_to("/cv/ocr/idcard")) == 2
