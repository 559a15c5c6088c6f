"""小程序码 for 体验版 testing (issue 24 item 5): the version a code opens and WeChat's page check come from
WECHAT_WXACODE_ENV_VERSION / WECHAT_WXACODE_CHECK_PATH, as the fake WeChat server receives them."""

import pytest

from app.config import Config, ConfigError
from app.extensions import db
from app.models import WxaCodeImage
from app.services.setup import entry_codes

WXACODE_PATH = "/wxa/getwxacodeunlimit"


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings}


def booth_code(meeting) -> str:
    return next(c for c in entry_codes.active_codes(meeting) if c.booth).code


def test_a_code_opens_the_released_version_and_wechat_checks_its_page_by_default(staff_login, seeded, fake_wechat):
    assert staff_login("booth").get(f"/codes/{booth_code(seeded.meeting)}/wxacode.png").status_code == 200
    [call] = fake_wechat.calls_to(WXACODE_PATH)
    assert (call["env_version"], call["check_path"]) == ("release", True)


def test_a_trial_code_opens_the_trial_version_unchecked_and_is_not_kept(app, staff_login, seeded, fake_wechat):
    app.config.update(WECHAT_WXACODE_ENV_VERSION="trial", WECHAT_WXACODE_CHECK_PATH=False)
    session, code = staff_login("booth"), booth_code(seeded.meeting)
    assert [session.get(f"/codes/{code}/wxacode.png").status_code for _ in range(2)] == [200, 200]
    calls = fake_wechat.calls_to(WXACODE_PATH)
    assert [(c["env_version"], c["check_path"]) for c in calls] == [("trial", False)] * 2
    # Kept, it would still open the trial version on posters printed after release.
    assert db.session.query(WxaCodeImage).count() == 0


def test_an_unknown_version_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("WECHAT_WXACODE_ENV_VERSION", "beta")
    with pytest.raises(ConfigError, match="release, trial, develop"):
        Config(str(tmp_path))
