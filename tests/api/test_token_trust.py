"""Bearer tokens are trusted by their signature alone: keys rotate, and a revoke refuses a worker's old tokens."""

import time

import pytest

from app import create_app
from app.extensions import db
from app.services import process_cache
from app.services.intake import workers
from tests.conftest import settings_for
from tests.mp_fixtures import API


def me(client, token: str):
    return client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})


def login(client, name: str) -> tuple[str, int]:
    answer = client.post(f"{API}/auth/login", json={"code": f"dev:{name}"}).json
    return answer["token"], answer["worker"]["id"]


def test_a_token_signed_with_a_rotated_out_key_works_until_that_key_is_dropped(app, client):
    token, _worker_id = login(client, "wang")
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "the-new-key"
    assert me(client, token).status_code == 200
    fresh, _ = login(client, "wang")
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert me(client, fresh).status_code == 200
    assert me(client, token).json["error"]["code"] == "unauthorized"


def test_a_revoke_refuses_the_workers_tokens_and_a_new_login_works(app, client, runner):
    token, worker_id = login(client, "lost-phone")
    assert me(client, token).status_code == 200  # the revocation list is now cached here
    assert runner.invoke(args=["workers", "revoke-tokens", str(worker_id)]).exit_code == 0
    answer = me(client, token)
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "token_revoked")
    fresh, _ = login(client, "lost-phone")
    assert me(client, fresh).status_code == 200


@pytest.mark.scaled_only
def test_a_revoke_in_another_process_reaches_this_one(app, client):
    token, worker_id = login(client, "zhao")
    assert me(client, token).status_code == 200
    assert process_cache.caches().subscribed.wait(10)
    assert me(client, token).status_code == 200  # now answered from this process's cached list
    # Another app is another set of caches with its own subscription: as far as caches go, another process.
    elsewhere = create_app(settings_for(app.config["SQLALCHEMY_DATABASE_URI"]))
    with elsewhere.app_context():
        workers.revoke_tokens(worker_id)
        db.session.remove()
        db.engine.dispose()
    revocations = process_cache.caches().named(workers.REVOCATIONS_CACHE)
    deadline = time.monotonic() + 10
    while revocations.entries and time.monotonic() < deadline:
        time.sleep(0.05)
    assert me(client, token).json["error"]["code"] == "token_revoked"


def test_a_process_that_lost_redis_reads_revocations_from_the_database(own_redis, app):
    # Two apps on the test's database and a Redis of this test's own: two processes, as far as caches go.
    settings = settings_for(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=own_redis.url)
    served, elsewhere = create_app(settings), create_app(settings)
    with served.app_context():
        served_client = served.test_client()
        token, worker_id = login(served_client, "sun")
        assert me(served_client, token).status_code == 200
        caches = process_cache.caches()
        assert caches.subscribed.wait(10)
        own_redis.stop()
        deadline = time.monotonic() + 10
        while caches.subscribed.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        with elsewhere.app_context():
            workers.revoke_tokens(worker_id)  # its message cannot be sent: nobody caches meanwhile
            db.session.remove()
            db.engine.dispose()
        answer = me(served_client, token)
        caches.stop()
        db.session.remove()
        db.engine.dispose()
    own_redis.start()  # the apps share the limiter extension, now bound to this Redis: its reset at teardown
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "token_revoked")
