"""Configuration: production refuses to start without its secrets, naming the one missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from app import create_app
from app.config import ConfigError
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


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PII_KEY", "PII_HMAC_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_without_a_secret_exits_naming_it(tmp_path, missing):
    result = start_production(tmp_path, **{missing: None})
    assert result.returncode != 0
    assert missing in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "PII_HMAC_KEY"])
def test_production_refuses_a_key_shorter_than_32_characters_naming_it(tmp_path, name):
    result = start_production(tmp_path, **{name: "k" * 31})
    assert result.returncode != 0
    assert name in result.stderr and "32" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_pii_key_that_is_not_a_fernet_key(tmp_path):
    result = start_production(tmp_path, PII_KEY="p" * 44)
    assert result.returncode != 0
    assert "PII_KEY" in result.stderr and "Traceback" not in result.stderr


def test_production_refuses_the_dev_login(tmp_path):
    result = start_production(tmp_path, DEV_LOGIN_ENABLED="1")
    assert result.returncode != 0
    assert "DEV_LOGIN_ENABLED" in result.stderr


def test_production_with_every_secret_starts(tmp_path):
    result = start_production(tmp_path)
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
