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

import gc  # noqa: E402
import os  # noqa: E402

from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler  # noqa: E402

# An SSE client sends one short GET and then only listens, for hours; gevent would keep an 8 KB read buffer
# for each of them (16 MB for 2000 big screens). A 1 KB buffer still reads any request: longer header lines
# take a few more reads, and bodies larger than the buffer are read straight from the socket.
READ_BUFFER_BYTES = 1024


class SmallBufferHandler(PyWSGIHandler):
    def __init__(self, sock, address, server):
        super().__init__(sock, address, server, rfile=sock.makefile("rb", READ_BUFFER_BYTES))


class GeventWorker(GeventPyWSGIWorker):
    wsgi_handler = SmallBufferHandler


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
accesslog = os.environ.get("ACCESS_LOG", "-")
# The proxies whose X-Forwarded-* headers count; the app reads the same variable (app/proxy.py, PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def pre_fork(server, worker):
    # The collector writes to every object it scans, which would copy each shared page into each worker;
    # frozen objects (everything the preload created) are never scanned.
    gc.freeze()


def post_fork(server, worker):
    """A pooled connection must never be shared by two processes: drop the master's, keep its engine."""
    if not server.cfg.preload_app:
        return
    from app.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
