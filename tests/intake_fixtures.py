"""Fixtures for the intake counters: a private redis-server the test may stop, and intake helpers."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import insert, select

from app.extensions import db
from app.models import (
    ApplicationStatus,
    CardDelivery,
    CardStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Scan,
    Tally,
    TallyKind,
    Worker,
)
from app.models.base import utcnow
from app.services.live import intake_counters, intake_sql
from app.services.setup import entry_codes
from tests.servers import gunicorn


class OwnRedis:
    """A redis-server of this test alone on a free port, without persistence, so stopping it is safe."""

    def __init__(self, unix_socket: str | None = None):
        """On a free TCP port; with `unix_socket`, `url` names that socket instead (the port stays open too)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.unix_socket = unix_socket
        self.url = f"unix://{unix_socket}?db=0" if unix_socket else f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> "OwnRedis":
        socket_options = ["--unixsocket", self.unix_socket] if self.unix_socket else []
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             *socket_options],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _attempt in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def pause(self) -> None:
        """Hang the server (SIGSTOP): calls time out, and the data is still there after resume()."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def serve_scaled(app, database_url: str, redis_url: str, extra_env: dict | None = None, log_path=None):
    """wsgi:app under gunicorn.conf.py, two workers on the test's database and Redis and keys; yields the port."""
    env = {**os.environ, "APP_ENV": "development", "WEB_CONCURRENCY": "2",
           "DATABASE_URL": database_url, "REDIS_URL": redis_url, **{
               name: app.config[name] for name in ("SECRET_KEY", "PII_KEY", "PII_HMAC_KEY")}, **(extra_env or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "wb")) if log_path else subprocess.DEVNULL
        _server, port = stack.enter_context(gunicorn("wsgi:app", env, stderr=log))
        yield port


@pytest.fixture
def own_redis():
    server = OwnRedis().start()
    yield server
    server.stop()


def record_scan(venue, booth=None, visitor_key="visitor-1") -> Scan:
    """A committed scan of the venue's (or booth's) code, counted like the entry service counts it."""
    booth_id = booth.id if booth else None
    code = next(c for c in entry_codes.active_codes(venue.meeting) if (c.venue_id, c.booth_id) == (venue.id, booth_id))
    scan = Scan(entry_code_id=code.id, meeting_id=venue.meeting_id, venue_id=venue.id,
                booth_id=booth_id, visitor_key=visitor_key)
    db.session.add(scan)
    db.session.commit()
    intake_counters.scan_recorded(scan)
    return scan


def record_tally_row(booth, kind: TallyKind, quantity: int = 1, key: str | None = None) -> Tally:
    tally = Tally(idempotency_key=key or f"tally-{time.monotonic_ns()}", meeting_id=booth.venue.meeting_id,
                  venue_id=booth.venue_id, booth_id=booth.id, kind=kind, quantity=quantity)
    db.session.add(tally)
    db.session.commit()
    intake_counters.tally_recorded(tally)
    return tally


def sql_values(meeting_id: int, scope: str = "meeting", scope_id: int | None = None) -> dict:
    return intake_sql.count_meeting(meeting_id).values_of(scope, scope_id or meeting_id)


def counter_values(meeting_id: int, scope: str = "meeting", scope_id: int | None = None) -> dict:
    return intake_counters.meeting_counts(meeting_id).values_of(scope, scope_id or meeting_id)


def bulk_joins(venue, count: int, cards: int = 0, booth=None) -> None:
    """`count` submitted applications at the venue (the first `cards` with a card), in two statements."""
    worker = Worker(openid=f"oid-bulk-{time.monotonic_ns()}")
    db.session.add(worker)
    db.session.flush()
    tag = time.monotonic_ns()
    place = {"meeting_id": venue.meeting_id, "venue_id": venue.id, "booth_id": booth.id if booth else None,
             "host_org_id": venue.host_org_id}
    applications = [
        {**place, "worker_id": worker.id, "status": ApplicationStatus.SUBMITTED, "consent": True,
         "consent_version": "2026-11", "id_blind_index": f"bulk-{tag}-{n}", "submitted_at": utcnow()}
        for n in range(count)
    ]
    db.session.execute(insert(MembershipApplication), applications)
    rows = db.session.execute(
        select(MembershipApplication.id, MembershipApplication.id_blind_index)
        .where(MembershipApplication.id_blind_index.like(f"bulk-{tag}-%"))
        .limit(cards)
    ).all()
    card_rows = [
        {**place, "worker_id": worker.id, "membership_application_id": app_id, "id_blind_index": blind,
         "delivery": CardDelivery.ONSITE, "consent": True, "status": CardStatus.PENDING}
        for app_id, blind in rows
    ]
    if card_rows:
        db.session.execute(insert(MutualAidCardApplication), card_rows)
    db.session.commit()
    intake_counters.rebuild(venue.meeting_id)
