"""The production server settings (gunicorn.conf.py): gevent workers with 1 KB read buffers."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_health import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def served(tmp_path):
    """wsgi:app under gunicorn.conf.py (embedded mode: one worker), on its own port and SQLite file."""
    port = free_port()
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
           "BIND": f"127.0.0.1:{port}", "ACCESS_LOG": "/dev/null"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"],
                              cwd=ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_answering(port)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_answering(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return ask(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "GET", "/healthz")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def ask(connection: http.client.HTTPConnection, method: str, path: str, body=None, headers=None) -> int:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    return response.status


def test_requests_longer_than_the_read_buffer_are_served_whole(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    assert ask(connection, "GET", "/readyz", headers={"X-Long": "a" * 6000}) == 200
    # The same kept-alive connection: a 20 KB body is read to its end, so the next request parses cleanly.
    body = json.dumps({"note": "b" * 20_000})
    assert ask(connection, "POST", "/mp/v1/membership-applications", body,
               {"Content-Type": "application/json"}) == 401
    assert ask(connection, "GET", "/readyz") == 200
