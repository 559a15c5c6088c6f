"""A graceful stop (SIGTERM) never resets a connection whose request was sent (issue 25 item 4).

tests/test_gunicorn_conf.py holds the rest of the drain: requests in flight are answered, idle kept-alive
connections are closed, streams end. Here: a client that connects while the worker stops — as every client
answered with `Connection: close` does — is queued by the kernel until the worker accepts it; closing the
listener with it still queued used to reset it, request and all.
"""

import http.client
import os
import signal

from tests.servers import gunicorn
from tests.test_gunicorn_conf import open_response


def test_a_connection_queued_on_the_listener_when_the_worker_stops_is_answered_not_reset():
    # One connection per worker: while the slow request is in flight the worker takes no other, so the
    # next one stays in the listener's queue — as a reconnecting client's does when the worker is busy.
    env = {**os.environ, "WEB_CONCURRENCY": "1", "WORKER_CONNECTIONS": "1"}
    with gunicorn("tests.stand_in_app:app", env, "--access-logfile", "/dev/null") as (server, port):
        in_flight = open_response(port, "/slow?3")
        assert in_flight.readline() == b"started\n"
        queued = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        queued.request("GET", "/ok")  # connected by the kernel, request sent, not yet accepted by the worker

        os.kill(server.pid, signal.SIGTERM)

        assert in_flight.read() == b"done\n"
        answer = queued.getresponse()  # was: ConnectionResetError, the listener closed with it in its queue
        assert (answer.status, answer.read(), answer.getheader("Connection")) == (200, b"ok", "close")
        assert server.wait(timeout=20) == 0
