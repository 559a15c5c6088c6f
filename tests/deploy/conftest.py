"""The deployment every test here runs against: Debian's nginx from deploy/nginx before two gunicorn hosts."""

import pytest

from tests.deploy.proxy_stack import AppHost, Proxy
from tests.test_config import PRODUCTION_ENV

LONG_KEY = "k" * 40
GENEROUS = "100000/minute"
METRICS_TOKEN = "m" * 40


@pytest.fixture
def app_settings(app_settings):
    """Production-length keys: the hosts run with APP_ENV=production on the same settings."""
    return {**app_settings, "SECRET_KEY": LONG_KEY, "PII_HMAC_KEY": "h" * 40}


@pytest.fixture
def deployment(app, app_settings, seeded, tmp_path):
    """(proxy, [host A, host B]) — two hosts behind nginx, on the test's database and Redis."""
    env = {
        "PATH": "/usr/bin:/bin", "APP_ENV": "production", "SECRET_KEY": app_settings["SECRET_KEY"],
        "PII_KEY": app_settings["PII_KEY"], "PII_HMAC_KEY": app_settings["PII_HMAC_KEY"],
        "DATABASE_URL": app_settings["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app_settings["REDIS_URL"],
        "PUBLIC_BASE_URL": "https://localhost", "PROXY_COUNT": "1", "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "DEV_LOGIN_ENABLED": "0", "WEB_CONCURRENCY": "1", "PRIVACY_CONTACT": PRODUCTION_ENV["PRIVACY_CONTACT"],
        "RATELIMIT_MP_LOGIN": GENEROUS, "RATELIMIT_MP_SUBMIT_PER_IP": GENEROUS, "METRICS_TOKEN": METRICS_TOKEN,
        # The load is H5 visitors from one address through nginx: each is a new token and a status answer there.
        "RATELIMIT_MP_H5_PER_IP": GENEROUS, "RATELIMIT_MP_STATUS_PER_IP": GENEROUS,
    }
    hosts = [AppHost(env, 1, tmp_path / f"host-{name}.log") for name in "ab"]
    proxy = Proxy(tmp_path / "nginx", [host.address for host in hosts])
    try:
        yield proxy, hosts
    finally:
        proxy.stop()
        for host in hosts:
            host.kill()
