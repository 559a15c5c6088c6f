"""gunicorn settings: gevent workers so long-lived SSE streams do not pin a worker each."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gevent"
# Embedded mode (no REDIS_URL) keeps counters and the live stream in one process: one worker.
workers = int(os.environ.get("WEB_CONCURRENCY", "4" if os.environ.get("REDIS_URL") else "1"))
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "3000"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
