"""Fixtures for the intake counters: a private redis-server the test may stop, and intake helpers."""

import socket
import subprocess
import time

import pytest
import redis

from app.extensions import db
from app.models import Scan, Tally, TallyKind
from app.services import entry_codes, intake_counters, intake_sql


class OwnRedis:
    """A redis-server of this test alone on a free port, without persistence, so stopping it is safe."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> "OwnRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
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

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


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
