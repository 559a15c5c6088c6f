"""Redis down: joins, logins, scans and `me` keep answering, limits hold per process, counters come back.

Limits and counters live on a redis-server of the test's own, so stopping it never touches the shared one.
"""

import pytest

from app.extensions import redis_handle
from app.services.live import intake_counters
from tests.intake_fixtures import counter_values, sql_values
from tests.mp_fixtures import API, WorkerClient, dev_token


@pytest.fixture
def app_settings(app_settings, own_redis):
    return {**app_settings, "REDIS_URL": own_redis.url, "RATELIMIT_STORAGE_URI": own_redis.url}


@pytest.fixture
def redis_outage(own_redis, seeded):
    """Redis stopped for the test's body, started again before the checks that need it."""
    own_redis.stop()
    yield own_redis
    if own_redis.process is None:
        own_redis.start()


def test_a_worker_logs_in_scans_joins_and_reads_me_while_redis_is_down(app, redis_outage, entry_code, join_form):
    client = app.test_client()
    worker = WorkerClient(client, dev_token(client, "zhao"))

    assert worker.get(f"/entries/{entry_code}").status_code == 200
    assert worker.join(join_form(), idempotency_key="outage-1").status_code == 201
    assert worker.join(join_form(), idempotency_key="outage-1").status_code == 201  # the replay, from SQL
    me = worker.get("/me")
    assert me.status_code == 200
    assert len(me.json["membership_applications"]) == 1


def test_the_per_token_join_limit_still_holds_in_each_process_while_redis_is_down(mp_worker, redis_outage, join_form):
    worker = mp_worker("qian")
    statuses = [worker.join(join_form()).status_code for _ in range(11)]

    assert statuses == [201] * 10 + [429]


def test_staff_still_sign_in_while_redis_is_down(staff_login, redis_outage):
    assert staff_login("renhe").get("/meetings").status_code == 200


def test_a_wechat_login_needs_no_redis(app_settings, fake_wechat, redis_outage, app):
    from app import create_app

    wechat_app = create_app({**app_settings, **fake_wechat.settings})
    response = wechat_app.test_client().post(f"{API}/auth/login", json={"code": "wx-code-1"})

    assert response.status_code == 200
    assert response.json["token"]


def test_readyz_says_degraded_while_redis_is_down_and_ok_after(client, redis_outage):
    response = client.get("/readyz")
    assert (response.status_code, response.json["status"]) == (200, "degraded")
    assert response.json["checks"]["redis"].startswith("error")

    redis_outage.start()
    assert client.get("/readyz").json["status"] == "ok"


def test_a_join_missed_while_redis_hung_is_counted_once_it_answers_without_another_event(
    seeded, own_redis, mp_worker, join_form
):
    meeting_id = seeded.meeting.id
    assert mp_worker("sun").join(join_form()).status_code == 201
    own_redis.pause()  # hung, not restarted: the counters it holds survive, one join short
    assert mp_worker("zhou").join(join_form()).status_code == 201
    own_redis.resume()

    intake_counters.repair_stale()

    # What every other process and host reads, with no event or screen in this one.
    assert redis_handle.client.hget(f"intake:{meeting_id}:meeting:{meeting_id}", "joins") == b"2"
    assert counter_values(meeting_id)["joins"] == sql_values(meeting_id)["joins"] == 2
