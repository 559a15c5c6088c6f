"""Fixtures for the /mp/v1 API: a worker signed in with a dev token, a demo entry code, a valid join form."""

import io

import pytest

from app import create_app
from app.extensions import db
from app.models import BoothKind
from app.services import process_cache
from app.services.setup import entry_codes
from tests.factories import id_number

API = "/mp/v1"


class WorkerClient:
    """A test client holding one worker's bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def headers(self, extra: dict | None = None) -> dict:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str):
        return self.client.get(API + path, headers=self.headers())

    def post(self, path: str, body=None, headers: dict | None = None):
        return self.client.post(API + path, json=body, headers=self.headers(headers))

    def upload(self, path: str, field: str, content: bytes, filename: str = "photo.jpg", mimetype: str = "image/jpeg"):
        """A multipart POST of one file, as wx.uploadFile sends it."""
        files = {field: (io.BytesIO(content), filename, mimetype)}
        return self.client.post(API + path, data=files, headers=self.headers(), content_type="multipart/form-data")

    def patch(self, path: str, body: dict):
        return self.client.patch(API + path, json=body, headers=self.headers())

    def delete(self, path: str):
        return self.client.delete(API + path, headers=self.headers())

    def join(self, form: dict, idempotency_key: str | None = None):
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.post("/membership-applications", form, headers)


def dev_token(client, name: str) -> str:
    response = client.post(f"{API}/auth/login", json={"code": f"dev:{name}"})
    assert response.status_code == 200, response.json
    return response.json["token"]


@pytest.fixture
def mp_worker(app, seeded):
    """mp_worker("wang") → a WorkerClient signed in through the dev login."""

    def sign_in(name: str = "wang") -> WorkerClient:
        client = app.test_client()
        return WorkerClient(client, dev_token(client, name))

    return sign_in


def stop(process) -> None:
    """Shut down an app built beside the test's own: its caches' threads and its database connections."""
    with process.app_context():
        process_cache.caches().stop()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def other_process(app, app_settings):
    """Another worker process as far as limits go: its own stores, the same database, Redis and keys."""
    process = create_app(app_settings)
    yield process
    stop(process)


@pytest.fixture
def entry_code(seeded) -> str:
    """The active code of the main venue's 入会岗 in the demo meeting."""
    for code in entry_codes.active_codes(seeded.meeting):
        if code.booth and code.booth.kind is BoothKind.JOIN and code.venue.role.value == "main":
            return code.code
    raise AssertionError("the demo meeting has no join booth code")


@pytest.fixture
def join_form(entry_code):
    """join_form(**overrides) → a valid membership application body with a fresh 身份证号."""

    def form(**overrides) -> dict:
        return {
            "entry_code": entry_code,
            "name": "王小明",
            "id_number": id_number(),
            "mobile": "13912345678",
            "employer": "北京顺义物流有限公司",
            "industry": "交通运输、仓储和邮政业",
            "new_form_job": "快递员",
            "consent": True,
            "consent_version": "2026-11",
            **overrides,
        }

    return form
