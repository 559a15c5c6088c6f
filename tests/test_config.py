"""Configuration: production refuses to start without its secrets, naming the one missing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from app import create_app
from app.config import DEMO_PRIVACY_CONTACT, ConfigError
from tests.conftest import settings_for
from tests.intake_fixtures import OwnRedis

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 32,
    "PII_KEY": Fernet.generate_key().decode(),
    "PII_HMAC_KEY": "h" * 32,
    "DATABASE_URL": "sqlite:///:memory:",
    "PUBLIC_BASE_URL": "https://join.example.org",
    "REDIS_URL": "redis://127.0.0.1:1/0",  # never reached: starting does not connect
    "DEV_LOGIN_ENABLED": "0",
    "PRIVACY_CONTACT": "北京市顺义区总工会权益保障部，privacy@example.org",
}


def start_production(tmp_path, **changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "REDIS_URL"}
    env.update(PRODUCTION_ENV)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    command = [sys.executable, "-c", "import wsgi"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


# What breaks each variable of the README's production table, one start of the app per case.
REFUSALS = {
    "SECRET_KEY": [{"SECRET_KEY": None}, {"SECRET_KEY": "k" * 31}],
    "SECRET_KEY_FALLBACKS": [{"SECRET_KEY_FALLBACKS": "f" * 40 + ",s"}],
    "PII_KEY": [{"PII_KEY": None}, {"PII_KEY": "p" * 44}],
    "PII_HMAC_KEY": [{"PII_HMAC_KEY": None}, {"PII_HMAC_KEY": "k" * 31}],
    "DATABASE_URL": [{"DATABASE_URL": None}],
    "PUBLIC_BASE_URL": [{"PUBLIC_BASE_URL": None}],
    "REDIS_URL": [{"REDIS_URL": None}],
    "WECHAT_APPID": [{"WECHAT_SECRET": "the-mini-programs-secret"}],
    "WECHAT_SECRET": [{"WECHAT_APPID": "wx0123456789abcdef"}],
    "H5_JOIN_ENABLED": [{"H5_JOIN_ENABLED": "0"}, {"H5_JOIN_ENABLED": "flase"}],
    "RETENTION_DAYS": [{"RETENTION_DAYS": "0"}],
    "METRICS_TOKEN": [{"METRICS_TOKEN": "m" * 31}],
    "DEV_LOGIN_ENABLED": [{"DEV_LOGIN_ENABLED": "1"}],
    "FLASK_DEBUG": [{"FLASK_DEBUG": "1"}],
    "PRIVACY_CONTACT": [{"PRIVACY_CONTACT": None}, {"PRIVACY_CONTACT": DEMO_PRIVACY_CONTACT}],
}
WECHAT = {"WECHAT_APPID": "wx0123456789abcdef", "WECHAT_SECRET": "the-mini-programs-secret"}


def readme_refusal_table() -> set[str]:
    """The variables named in the first column of the README's production table."""
    production = (ROOT / "README.md").read_text(encoding="utf-8").split("## Production", 1)[1]
    table = production.split("| variable | what | refused when |", 1)[1].split("\n\n", 1)[0]
    return {name for row in table.splitlines()[2:] for name in re.findall(r"`(\w+)`", row.split("|")[1])}


def case_label(value: str | None) -> str:
    if value is None:
        return "unset"
    if "," in value:
        return ",".join(case_label(part) for part in value.split(","))
    return value if len(value) <= 12 else f"{len(value)}-characters"


def test_the_readme_names_every_variable_production_refuses_and_no_other():
    assert readme_refusal_table() == set(REFUSALS)


@pytest.mark.parametrize(("name", "changes"), [
    pytest.param(name, changes, id=" ".join(f"{k}={case_label(v)}" for k, v in changes.items()))
    for name, cases in REFUSALS.items() for changes in cases
])
def test_production_refuses_to_start_naming_the_variable_at_fault(tmp_path, name, changes):
    result = start_production(tmp_path, **changes)
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("changes", [
    {},
    {**WECHAT, "H5_JOIN_ENABLED": "0"},  # a mini-program only
    {"SECRET_KEY_FALLBACKS": "f" * 32 + ", " + "g" * 43, "METRICS_TOKEN": "m" * 32, "FLASK_DEBUG": "0"},
], ids=["every-secret", "wechat-without-h5", "long-fallbacks-and-metrics-token"])
def test_production_with_every_secret_starts(tmp_path, changes):
    result = start_production(tmp_path, **changes)
    assert result.returncode == 0, result.stderr


def test_development_generates_its_secrets_once_into_instance(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "PII_KEY", "PII_HMAC_KEY", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/dev.db"}
    first = create_app(settings)
    second = create_app(settings)
    assert first.config["PII_KEY"] == second.config["PII_KEY"]
    assert (Path(first.instance_path) / "dev-secrets.json").exists()


def test_unknown_app_env_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(ConfigError, match="APP_ENV"):
        create_app()


def test_redis_on_a_unix_socket_serves_the_rate_limits(tmp_path):
    server = OwnRedis(unix_socket=str(tmp_path / "redis.sock")).start()
    try:
        app = create_app(settings_for("sqlite:///" + str(tmp_path / "app.db"), REDIS_URL=server.url,
                                      RATELIMIT_MP_LOGIN="2/minute"))
        with app.app_context():
            upgrade()
        client = app.test_client()
        answers = [client.post("/mp/v1/auth/login", json={"code": "dev:unix"}).status_code for _ in range(3)]
        limiter_keys = redis.Redis.from_url(server.url).keys("*")
    finally:
        server.stop()
    assert answers == [200, 200, 429]
    assert limiter_keys, "the login limit was not counted in the Redis behind the socket"
