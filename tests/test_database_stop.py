"""PostgreSQL stopped for 30 s under a load of joins costs no sign-up (issue 25 item 1).

A database failover or a minor-version upgrade stops PostgreSQL for about this long. The server answers
503 database_unavailable meanwhile; the mini-program resends the same join with the same Idempotency-Key on
its schedule (miniprogram/api/client.js: 1, 2, 4, 8, 15, 15, 15 s, longer when Retry-After asks) — 60 s and
more — so every join lands once, and the counters hold exactly the joins that landed.

The cluster stopped is one of this test's own (tests/throwaway_services.py), never the suite's database.
"""

import http.client
import json
import threading
import time

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import BoothKind, MembershipApplication
from app.services.live import intake_counters
from app.services.live.intake_sql import count_meeting
from app.services.setup import demo, entry_codes
from tests.conftest import settings_for, with_database
from tests.factories import id_number
from tests.intake_fixtures import serve_scaled
from tests.mp_fixtures import stop
from tests.test_throwaway_services import needs_server_binaries
from tests.throwaway_services import ThrowawayPostgres

pytestmark = pytest.mark.scaled_only

CLIENTS = 6
JOINS_PER_CLIENT = 10
SECONDS_BETWEEN_JOINS = 5  # 60 joins over ≈ 50 s
STOP_AFTER_SECONDS = 8
STOPPED_SECONDS = 30
RESEND_SCHEDULE_SECONDS = [1, 2, 4, 8, 15, 15, 15]  # the mini-program's, miniprogram/api/client.js
GENEROUS = "100000/hour"  # each phone joins ten people: no limit in the way
LIMITS = ("RATELIMIT_MP_LOGIN", "RATELIMIT_MP_SUBMIT_PER_TOKEN", "RATELIMIT_MP_SUBMIT_PER_IP",
          "RATELIMIT_MP_STATUS_PER_TOKEN", "RATELIMIT_MP_STATUS_PER_IP")


@pytest.fixture
def postgres():
    server = ThrowawayPostgres(needs_server_binaries()).start()
    yield server
    server.remove()


@pytest.fixture
def stage(postgres, own_redis):
    """The demo meeting migrated and seeded on the throwaway cluster: (app, database URL, meeting id, the code of
    its 入会岗)."""
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        connection.execute("CREATE DATABASE intake")
    db_url = with_database(postgres.url, "intake").replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(settings_for(db_url, REDIS_URL=own_redis.url, RATELIMIT_STORAGE_URI=own_redis.url))
    with app.app_context():
        upgrade()
        meeting = demo.seed_demo().meeting
        meeting_id = meeting.id
        code = next(c.code for c in entry_codes.active_codes(meeting)
                    if c.booth and c.booth.kind is BoothKind.JOIN and c.venue.role.value == "main")
    yield app, db_url, meeting_id, code
    stop(app)


def send(port: int, method: str, path: str, body: dict, headers: dict) -> tuple[int, dict, dict]:
    """One request on a fresh connection, as wx.request sends it: (status, headers, JSON answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, json.dumps(body), {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b"{}")
    finally:
        connection.close()


def join_as_the_mini_program_does(port: int, token: str, form: dict, key: str) -> int | None:
    """Send the join; after no answer, a 5xx or a 429, send it again with the same key on the mini-program's
    schedule (a Retry-After longer than the next wait is honoured). The last status, None if none came."""
    status = None
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    for wait in [*RESEND_SCHEDULE_SECONDS, None]:
        try:
            status, answer_headers, _ = send(port, "POST", "/mp/v1/membership-applications", form, headers)
            retry_after = int(answer_headers.get("Retry-After", 0))
        except OSError:
            status, retry_after = None, 0
        if status is not None and status < 500 and status != 429 or wait is None:
            return status
        time.sleep(max(wait, retry_after))
    return status


def test_every_join_lands_once_through_a_30_second_database_stop(postgres, own_redis, stage, tmp_path):
    app, db_url, meeting_id, code = stage
    extra_env = {**dict.fromkeys(LIMITS, GENEROUS), "INTAKE_RECONCILE_SECONDS": "0"}
    log_path = tmp_path / "server.log"
    with serve_scaled(app, db_url, own_redis.url, extra_env, log_path) as port:
        tokens = [send(port, "POST", "/mp/v1/auth/login", {"code": f"dev:phone-{n}"}, {})[2]["token"]
                  for n in range(CLIENTS)]
        outcomes: dict[str, int | None] = {}

        def phone(number: int) -> None:
            for join in range(JOINS_PER_CLIENT):
                key = f"stop-{number}-{join}"
                form = {"entry_code": code, "name": "王小明", "id_number": id_number(), "mobile": "13912345678",
                        "employer": "北京顺义物流有限公司", "industry": "交通运输、仓储和邮政业",
                        "new_form_job": "快递员", "consent": True, "consent_version": "2026-11"}
                outcomes[key] = join_as_the_mini_program_does(port, tokens[number], form, key)
                time.sleep(SECONDS_BETWEEN_JOINS)

        phones = [threading.Thread(target=phone, args=(n,)) for n in range(CLIENTS)]
        for thread in phones:
            thread.start()
            time.sleep(SECONDS_BETWEEN_JOINS / CLIENTS)  # the phones' joins spread over each 5 s
        time.sleep(STOP_AFTER_SECONDS)
        postgres.stop("fast")
        time.sleep(STOPPED_SECONDS)
        postgres.start()
        for thread in phones:
            thread.join()

    assert len(outcomes) == CLIENTS * JOINS_PER_CLIENT
    assert {key: status for key, status in outcomes.items() if status != 201} == {}
    with app.app_context():
        db.engine.dispose()  # its connections died with the stop
        rows = dict(db.session.execute(
            select(MembershipApplication.idempotency_key, func.count()).group_by(MembershipApplication.idempotency_key)
        ).all())
        assert rows == dict.fromkeys(outcomes, 1)
        # No row without its counter event and no event without its row, in every scope (booth, venue, union,
        # meeting) — the workers' repair loop is off, so nothing has mended the counters since.
        counted, rows_say = intake_counters.meeting_counts(meeting_id), count_meeting(meeting_id)
        scopes = set(counted.values) | set(rows_say.values)
        assert {scope: counted.values_of(*scope) for scope in scopes} == {
            scope: rows_say.values_of(*scope) for scope in scopes}
        assert counted.values_of("meeting", meeting_id)["joins"] == CLIENTS * JOINS_PER_CLIENT
    # The stop was seen, and told once per worker with its traceback, then once more when it ended.
    entries = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    outage = [entry for entry in entries if entry["logger"] == "union_intake.outage"]
    assert any(entry["message"].startswith("database unavailable") for entry in outage)
    assert sum(1 for entry in outage if "exception" in entry) <= 2  # serve_scaled's two workers
    assert any(entry["message"].startswith("database available again") for entry in outage)
