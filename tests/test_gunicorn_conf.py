"""The production server settings (gunicorn.conf.py): gevent workers with 1 KB read buffers that drain on SIGTERM."""

import http.client
import json
import os
import signal
import time

import pytest

from tests.servers import ask, gunicorn


@pytest.fixture
def served(tmp_path):
    """wsgi:app under gunicorn.conf.py (embedded mode: one worker), on its own port and SQLite file."""
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
           "ACCESS_LOG": "/dev/null"}
    env.pop("REDIS_URL", None)
    with gunicorn("wsgi:app", env) as (_server, port):
        yield port


def test_requests_longer_than_the_read_buffer_are_served_whole(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    assert ask(connection, "GET", "/readyz", headers={"X-Long": "a" * 6000}) == 200
    # The same kept-alive connection: a 20 KB body is read to its end, so the next request parses cleanly.
    body = json.dumps({"note": "b" * 20_000})
    assert ask(connection, "POST", "/mp/v1/membership-applications", body,
               {"Content-Type": "application/json"}) == 401
    assert ask(connection, "GET", "/readyz") == 200


@pytest.fixture
def stand_in(tmp_path):
    """tests/stand_in_app.py under gunicorn.conf.py: (server process, port, path of its error log)."""
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "WEB_CONCURRENCY": "1"}
    options = ("--access-logfile", "/dev/null", "--error-logfile", str(log))
    with gunicorn("tests.stand_in_app:app", env, *options) as (server, port):
        yield server, port, log


def open_response(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    return connection.getresponse()


def test_sigterm_finishes_requests_in_flight_lets_idle_connections_go_and_exits_before_the_timeout(stand_in):
    server, port, log = stand_in
    kept_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    assert ask(kept_alive, "GET", "/ok") == 200  # now idle, kept alive
    stream = open_response(port, "/stream")
    assert stream.readline() == b": heartbeat\n"
    in_flight = open_response(port, "/slow?2")
    assert in_flight.readline() == b"started\n"

    os.kill(server.pid, signal.SIGTERM)

    assert in_flight.read() == b"done\n"  # finished, not cut off
    assert kept_alive.sock.recv(1) == b""  # closed by the server, not left to run out the graceful timeout
    while stream.readline():
        pass  # the stream ends; a screen's EventSource reconnects through the proxy to a host still up
    assert server.wait(timeout=20) == 0  # within gunicorn.conf.py's graceful_timeout
    assert "graceful timeout" not in log.read_text()


def test_a_response_given_while_stopping_tells_the_client_to_close(stand_in, tmp_path):
    server, port, _ = stand_in
    mark = tmp_path / "in-the-app"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/late?mark={mark}&seconds=2")
    while not mark.exists():
        time.sleep(0.05)
    os.kill(server.pid, signal.SIGTERM)
    response = connection.getresponse()
    assert (response.status, response.read(), response.getheader("Connection")) == (200, b"late", "close")
    assert server.wait(timeout=20) == 0


def test_no_access_line_repeats_a_path_unless_access_log_asks_for_it(tmp_path):
    # The app's own JSON line names the route, never the path: a display token must not reach the logs.
    stderr = tmp_path / "stderr.log"
    env = {key: value for key, value in os.environ.items() if key != "ACCESS_LOG"} | {"WEB_CONCURRENCY": "1"}
    with stderr.open("wb") as sink, gunicorn("tests.stand_in_app:app", env, stderr=sink) as (_server, port):
        assert ask(http.client.HTTPConnection("127.0.0.1", port, timeout=10), "GET", "/display/tok-SECRET") == 200
    logged = stderr.read_text()
    assert "Booting worker" in logged and "tok-SECRET" not in logged
