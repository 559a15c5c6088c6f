"""gunicorn settings: gevent workers so long-lived SSE streams do not pin a worker each.

With several workers the app is preloaded: the master imports it once and forks the workers, so the ≈ 65 MB
of imported modules are pages the workers share instead of one copy per worker (bench/live_fanout.py
measures it). Two things make preloading safe with gevent: the standard library is patched here, before
the app is imported (gunicorn's gevent worker would patch only after the fork — too late for the locks,
sockets and threads the app's modules create at import), and each worker drops the database connections
it inherits (post_fork).
"""

from gevent import monkey

monkey.patch_all()

import contextlib  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import gevent.lock  # noqa: E402
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler, PyWSGIServer  # noqa: E402

# An SSE client sends one short GET and then only listens, for hours; gevent would keep an 8 KB read buffer
# for each of them (16 MB for 2000 big screens). A 1 KB buffer still reads any request: longer header lines
# take a few more reads, and bodies larger than the buffer are read straight from the socket.
READ_BUFFER_BYTES = 1024
# A connection that has not sent its first request this long after the stop is let go too (a preconnect).
FIRST_REQUEST_GRACE_SECONDS = 1.0
SWEEP_SECONDS = 0.25


class Connections:
    """This worker process's open connections, so that a stopping worker can let them go.

    gunicorn's gevent worker stops accepting on SIGTERM but serves every open keep-alive connection for as
    long as its client keeps sending, and waits for each big screen's endless stream: the worker used to
    run out its whole graceful timeout and be killed with requests in flight. Stopping now means: a response
    in flight is finished and says `Connection: close`; a connection waiting for its next request is closed
    (unless a request has already arrived on it — that one is served, then closed); a live stream is ended,
    and the screen's EventSource reconnects — through the proxy, to a host that is still up.
    """

    def __init__(self):
        self.stopping = False
        self.servers: list[DrainingServer] = []
        self.waiting: set[DrainingHandler] = set()
        self.streams: dict[DrainingHandler, gevent.Greenlet] = {}

    def let_go(self, graceful_timeout: float) -> None:
        self.stopping = True
        for greenlet in list(self.streams.values()):
            greenlet.kill(block=False)
        stopped_at = time.monotonic()
        while time.monotonic() - stopped_at < graceful_timeout:
            for handler in list(self.waiting):
                if handler.may_close(stopped_at):
                    handler.hang_up()
            gevent.sleep(SWEEP_SECONDS)


connections = Connections()  # module state is per process: each forked worker has its own


class DrainingHandler(PyWSGIHandler):
    """gevent's handler with a 1 KB read buffer, which lets its connection go when the worker stops."""

    def __init__(self, sock, address, server):
        super().__init__(sock, address, server, rfile=sock.makefile("rb", READ_BUFFER_BYTES))
        self.requests_served = 0
        self.opened_at = time.monotonic()

    def read_requestline(self):
        connections.waiting.add(self)
        try:
            return super().read_requestline()
        finally:
            connections.waiting.discard(self)

    def may_close(self, stopped_at: float) -> bool:
        """Nothing sent yet on a kept-alive connection (or on a new one after the grace): closing loses nothing."""
        fresh = time.monotonic() - max(self.opened_at, stopped_at) < FIRST_REQUEST_GRACE_SECONDS
        if self.requests_served == 0 and fresh:
            return False
        return not self.request_arrived()

    def request_arrived(self) -> bool:
        try:  # peek at the real socket: gevent's recv would wait for the bytes instead of saying there are none
            return bool(self.socket._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except OSError:  # BlockingIOError: nothing has arrived; any other: the client has gone
            return False

    def hang_up(self) -> None:
        with contextlib.suppress(OSError):  # the client may have gone already
            self.socket.shutdown(socket.SHUT_RDWR)  # the waiting read returns end-of-file; handle() closes

    def start_response(self, status, headers, exc_info=None):
        if connections.stopping:
            self.close_connection = True
            headers = [*headers, ("Connection", "close")]
        elif any(name.lower() == "content-type" and value.startswith("text/event-stream") for name, value in headers):
            connections.streams[self] = gevent.getcurrent()
        return super().start_response(status, headers, exc_info)

    def log_request(self):
        # The app logs each request as JSON (app/request_log.py). gunicorn's access line, enabled by the
        # logconfig_dict below, would repeat it with the full path (display tokens included) and cost ≈ 3 % of
        # a join's CPU: written only when ACCESS_LOG asks for it.
        if self.server.log.cfg.accesslog:
            super().log_request()

    def handle_one_response(self):
        try:
            super().handle_one_response()
        finally:
            connections.streams.pop(self, None)
            self.requests_served += 1


class DrainingServer(PyWSGIServer):
    """gevent's server, which serves the connections already queued on its listener before closing it.

    The kernel completes a client's connection before the worker accepts it, and the client sends its request
    at once; closing a listener resets every connection still in its queue, request and all. A stopping worker
    used to close it up to a second after SIGTERM (its run loop's tick), just as every client it had answered
    with `Connection: close` was reconnecting: those connections were reset mid-request. Now the listener is
    closed at SIGTERM, after the connections queued on it are taken and served (each answer says close).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.close_lock = gevent.lock.Semaphore()
        connections.servers.append(self)

    def close(self):
        with self.close_lock:  # the worker's run loop closes it too: it waits here until the queue is served
            if self.closed:
                return
            self.stop_accepting()
            # No switch to another greenlet between the last accept and the close, except to wait for a free
            # slot of the pool (worker_connections): a connection the kernel queues meanwhile is taken next.
            while (queued := self.do_read()) is not None:
                self.do_handle(*queued)
            super().close()


class GeventWorker(GeventPyWSGIWorker):
    wsgi_handler = DrainingHandler
    server_class = DrainingServer

    def handle_exit(self, sig, frame):
        super().handle_exit(sig, frame)
        # Out of the signal handler, as gunicorn's gevent worker does for SIGQUIT; each server closes in a
        # greenlet of its own, as serving its queue may wait for a free slot while the idle connections go.
        for server in connections.servers:
            gevent.spawn(server.close)
        gevent.spawn(connections.let_go, self.cfg.graceful_timeout)


# /metrics adds up every worker's samples (app/metrics.py): prometheus_client's multiprocess mode needs a
# fresh directory per server start, named before the app (and prometheus_client) is imported.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="union-intake-metrics-"))

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = GeventWorker
# Embedded mode (no REDIS_URL) keeps counters and the live stream in one process: one worker.
workers = int(os.environ.get("WEB_CONCURRENCY", "4" if os.environ.get("REDIS_URL") else "1"))
# Preloading pays only when several workers share the pages; embedded mode's one worker would gain nothing,
# and its in-memory rate-limit store starts a timer thread at import that must not cross a fork.
preload_app = workers > 1
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "3000"))
timeout = 60
graceful_timeout = 20
keepalive = 5
# The app logs each request as one JSON line with its id (app/request_log.py); gunicorn's own access log, off
# unless ACCESS_LOG names a file, would repeat it as plain text with the full path (display tokens included).
accesslog = os.environ.get("ACCESS_LOG")
# gunicorn's own lines (boot, worker exits) in the same JSON shape, on stderr.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "app.request_log.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
# The proxies whose X-Forwarded-* headers count; the app reads the same variable (app/proxy.py, PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def pre_fork(server, worker):
    # The collector writes to every object it scans, which would copy each shared page into each worker;
    # frozen objects (everything the preload created) are never scanned.
    gc.freeze()
    if server.cfg.preload_app:
        from app.extensions import settle_rate_limit_fallback

        settle_rate_limit_fallback()


def post_fork(server, worker):
    """A pooled connection must never be shared by two processes: drop the master's, keep its engine."""
    if not server.cfg.preload_app:
        return
    from app.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def post_worker_init(worker):
    """Every worker repairs the intake counters by itself: no screen open, no command typed."""
    from flask import Flask

    from app.services.live import intake_counters

    if isinstance(worker.wsgi, Flask):  # the benches and tests also serve plain WSGI apps with this file
        intake_counters.start_repair_loop(worker.wsgi)


def child_exit(server, worker):
    """A dead worker's live gauges (open streams) stop counting in /metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
