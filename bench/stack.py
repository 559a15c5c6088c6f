"""A throwaway scaled-mode stack for the benches: its own PostgreSQL database, its own redis-server, gunicorn.

Everything binds to 127.0.0.1; the database is dropped and the Redis server stopped when the bench ends.
The shared PostgreSQL (BENCH_ADMIN_DATABASE_URL, default the local `test` database) only hosts a new
database; the shared Redis is never touched.
"""

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.intake_fixtures import OwnRedis  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
GENEROUS_LIMITS = "1000000/minute"


@dataclass
class DemoStage:
    """What a bench needs of the seeded demo: the in-process app, the meeting, its display token, the 入会岗 code."""

    app: object
    meeting_id: int
    display_token: str
    join_code: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """A fresh database + Redis, the app's environment for them, and the gunicorn servers started on them."""

    def __init__(self):
        self.database = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        admin = urlsplit(ADMIN_URL)
        self.database_url = urlunsplit(admin._replace(scheme="postgresql+psycopg", path="/" + self.database))
        self.redis = OwnRedis().start()
        self.servers: list[subprocess.Popen] = []
        self.masters: dict[str, int] = {}  # base URL → gunicorn master pid
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": "bench-secret",
            "PII_KEY": Fernet.generate_key().decode(),
            "PII_HMAC_KEY": "bench-hmac",
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "RATELIMIT_MP_LOGIN": GENEROUS_LIMITS,
            "RATELIMIT_MP_SUBMIT_PER_TOKEN": GENEROUS_LIMITS,
            "RATELIMIT_MP_SUBMIT_PER_IP": GENEROUS_LIMITS,
            # Each bench client joins many people: every 201 is a status answer of its token and address.
            "RATELIMIT_MP_STATUS_PER_TOKEN": GENEROUS_LIMITS,
            "RATELIMIT_MP_STATUS_PER_IP": GENEROUS_LIMITS,
        }
        self.env.pop("WECHAT_APPID", None)

    def app_overrides(self) -> dict:
        """The same settings for an in-process app (seeding, checking counts)."""
        names = ("SECRET_KEY", "PII_KEY", "PII_HMAC_KEY", "REDIS_URL", "PUBLIC_BASE_URL", "RATELIMIT_MP_LOGIN",
                 "RATELIMIT_MP_SUBMIT_PER_TOKEN", "RATELIMIT_MP_SUBMIT_PER_IP", "RATELIMIT_MP_STATUS_PER_TOKEN",
                 "RATELIMIT_MP_STATUS_PER_IP")
        return {**{name: self.env[name] for name in names}, "SQLALCHEMY_DATABASE_URI": self.database_url,
                "RATELIMIT_STORAGE_URI": self.redis.url}

    def seed_demo(self) -> "DemoStage":
        """Migrate this stack's database and seed the demo through an in-process app on the same settings."""
        from flask_migrate import upgrade

        from app import create_app
        from app.extensions import db
        from app.models import EntryCode
        from app.services.setup import demo

        app = create_app(self.app_overrides())
        with app.app_context():
            upgrade()
            summary = demo.seed_demo()
            codes = db.session.query(EntryCode).filter_by(meeting_id=summary.meeting.id)
            join_code = next(
                c.code for c in codes if c.booth and c.booth.kind.value == "join" and c.venue.role.value == "main"
            )
            return DemoStage(app, summary.meeting.id, summary.display_token, join_code)

    def gunicorn(self, app_spec: str, workers: int, extra_env: dict | None = None) -> str:
        """Serve `app_spec` with the project's gunicorn.conf.py (gevent); returns its base URL once it answers."""
        port = free_port()
        command = [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket", "--bind",
                   f"127.0.0.1:{port}", "--workers", str(workers), app_spec]
        env = {**self.env, **(extra_env or {})}
        server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
        self.servers.append(server)
        url = f"http://127.0.0.1:{port}"
        self.masters[url] = server.pid
        wait_until_up(url + "/healthz")
        return url

    def stop_servers(self) -> None:
        for server in self.servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        self.servers = []

    def server_cpu_seconds(self) -> dict[str, float]:
        """CPU used so far by this stack's redis-server and by the PostgreSQL backends of its database."""
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            backends = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,))
            pids = [pid for (pid,) in backends]
        return {"PostgreSQL": cpu_seconds(pids), "Redis": cpu_seconds([self.redis.process.pid])}

    def close(self) -> None:
        self.stop_servers()
        self.redis.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


def memory_megabytes(root_pid: int) -> dict[str, float]:
    """RSS and PSS of a process and its children (gunicorn master + workers), in MB.

    RSS counts the pages forked workers share once per worker; PSS splits them, so it sums to what the
    machine really spends.
    """
    pids = [root_pid] + children(root_pid)
    totals = {"Rss": 0, "Pss": 0}
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name = line.split(":")[0]
            if name in totals:
                totals[name] += int(line.split()[1])
    return {name.lower(): kb / 1024 for name, kb in totals.items()} | {"processes": len(pids)}


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time the gunicorn master's workers have used so far (/proc/<pid>/stat)."""
    return cpu_seconds(children(master_pid))


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far; one that has exited counts nothing."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        # After the parenthesised command name come fields 3, 4, …; utime and stime are fields 14 and 15.
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def redis_calls(url: str) -> Counter:
    """Commands the Redis server has run so far, by name (INFO commandstats; a script's own calls included)."""
    stats = redis.Redis.from_url(url).info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): values["calls"] for name, values in stats.items()})


@contextlib.contextmanager
def collector_paused():
    """No garbage collection in the load generator while it measures.

    The generator imports the whole app (to seed) and holds every request of a run: one full collection
    paused all of its in-flight measurements at once, by 100–250 ms — latency spikes that looked like the
    server's, on every worker at the same instant, and were gone with the collector off (2026-12-02).
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")
