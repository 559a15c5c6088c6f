"""Fixtures shared by the whole suite: an app on a clean database, clients, staff logins, a browser.

Two passes (see the Makefile): UNION_INTAKE_TEST_BACKEND=embedded runs on a SQLite file with no Redis;
=scaled runs on a fresh PostgreSQL database created from TEST_DATABASE_URL and on TEST_REDIS_URL.
"""

import io
import os
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from cryptography.fernet import Fernet
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.config import limiter_storage_uri
from app.extensions import db, limiter, redis_handle
from app.services import process_cache
from app.services.setup import demo

pytest_plugins = [
    "tests.browser_fixtures",
    "tests.fake_wechat",
    "tests.factories",
    "tests.mp_fixtures",
    "tests.intake_fixtures",
]

BACKEND = os.environ.get("UNION_INTAKE_TEST_BACKEND", "embedded")
SCALED = BACKEND == "scaled"
TEST_PII_KEY = Fernet.generate_key().decode()
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def pytest_report_header(config):
    return f"union-intake backend: {BACKEND}"


def pytest_collection_modifyitems(config, items):
    if SCALED:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL + Redis: runs in the scaled pass of make test")
    for item in items:
        if "scaled_only" in item.keywords:
            item.add_marker(skip)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def create_postgres_database(prefix: str = "ui_test") -> str:
    """A brand-new PostgreSQL database next to TEST_DATABASE_URL; returns its URL."""
    admin_url = os.environ["TEST_DATABASE_URL"]
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(admin_url, name).replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory):
    """Factory for empty databases of the current backend (the migration tests use several)."""
    created = []

    def make() -> str:
        if SCALED:
            url = create_postgres_database()
            created.append(url)
            return url
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")

    yield make
    for url in created:
        drop_postgres_database(url)


def settings_for(database_url: str, **overrides) -> dict:
    settings = {
        "APP_ENV": "test",
        "SECRET_KEY": "test-secret",
        "PII_KEY": TEST_PII_KEY,
        "PII_HMAC_KEY": "test-hmac-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": os.environ["TEST_REDIS_URL"] if SCALED else None,
        "PUBLIC_BASE_URL": "http://testserver.local",
        "WECHAT_APPID": None,
        "WECHAT_SECRET": None,
        "DEV_LOGIN_ENABLED": True,
        # No repair thread in the test process: started by the first stream test, it would outlive that test's
        # app and race the TRUNCATE between tests (a deadlock seen once). Served gunicorn workers run it, and
        # tests/services/live/test_intake_recovery.py tests the healing there.
        "INTAKE_RECONCILE_SECONDS": 0,
    }
    settings.update(overrides)
    settings.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(settings["REDIS_URL"]))
    return settings


@pytest.fixture(scope="session")
def migrated_database_url(fresh_database_url):
    """One database per test session, built by the real migrations."""
    url = fresh_database_url()
    app = create_app(settings_for(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app_settings(migrated_database_url):
    """Override point: a test module may extend these before `app` is built."""
    return settings_for(migrated_database_url)


def forget_request_globals(sender, **extra):
    # The test holds an app context open, so Flask reuses it (and its `g`) for every test request;
    # without this, one client's login user and CSRF token would leak into the next client's request.
    g.__dict__.clear()


@pytest.fixture
def app(app_settings):
    app = create_app(app_settings)
    request_started.connect(forget_request_globals, app)
    with app.app_context():
        yield app
        db.session.remove()
        process_cache.caches().stop()
        empty_all_tables()
        db.engine.dispose()
        if redis_handle.enabled:
            redis_handle.client.flushdb()
        limiter.reset()


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    """The Shunyi demo: 27 orgs, an open district meeting with venues and booths, one user per role."""
    return demo.seed_demo()


class StaffSession:
    """A test client signed in as one staff account, posting forms with their CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = demo.DEMO_PASSWORD):
        token = csrf_token_from(self.client.get("/login").text)
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def post_form(self, url: str, data: dict, token_page: str = "/meetings"):
        token = csrf_token_from(self.client.get(token_page).text)
        return self.client.post(url, data={**data, "csrf_token": token})

    def get(self, url: str):
        return self.client.get(url)

    def upload(self, url: str, content: bytes, token_page: str = "/meetings", **data):
        """Post an .xlsx as the page's file field (as a browser's file input does), with the form's CSRF token."""
        token = csrf_token_from(self.client.get(token_page).text)
        return self.client.post(url, data={**data, "csrf_token": token, "file": (io.BytesIO(content), "表格.xlsx")},
                                content_type="multipart/form-data")


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


@pytest.fixture
def staff_login(app, seeded):
    """staff_login("renhe") → a StaffSession signed in as that demo account."""

    def login(username: str) -> StaffSession:
        session = StaffSession(app.test_client())
        response = session.login(username)
        assert response.status_code == 302, f"demo login as {username} failed"
        return session

    return login
