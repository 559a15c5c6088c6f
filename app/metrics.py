"""Prometheus metrics (prometheus_client) and the token-protected /metrics endpoint.

Under gunicorn every worker is its own process: gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before the
app is imported, so each process writes its samples to files there and /metrics — whichever worker answers
it — adds up every process's (prometheus_client's multiprocess mode). Without that variable (tests,
`flask run`) the process's own registry is served.
"""

import hmac
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from app.extensions import limiter

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOINS = Counter("intake_joins_total", "Membership applications committed as new joins")
COUNTER_REBUILDS = Counter("intake_counter_rebuilds_total", "Meetings whose Redis counters were rebuilt from SQL")
DRIFT_REPAIRED = Counter("intake_counter_drift_repaired_total", "Reconciles that found Redis apart from SQL")
BACKEND_ERRORS = Counter("backend_errors_total", "Redis or database errors met while serving", ["backend"])
SSE_CLIENTS = Gauge("live_stream_clients", "Open live streams (big screens, dashboards)", multiprocess_mode="livesum")
IMPORT_SECONDS = Histogram(
    "ledger_import_duration_seconds", "Time to import a ledger spreadsheet",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(count_request)


def count_request(response: Response) -> Response:
    # The rule, not the path: /display/<token> must not put a token (or one series per token) into metrics.
    route = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    if "request_started" in g:  # set by request_log.assign_request_id
        LATENCY.labels(request.method, route).observe(time.perf_counter() - g.request_started)
    return response


def refused(response: Response) -> bool:
    return response.status_code == 404


# Only refusals count, per address; once they are spent every answer there is a 429, the right token's too,
# so a guesser cannot tell a hit from a miss. A scraper with the right token never spends any.
@bp.get("/metrics")
@limiter.limit(lambda: current_app.config["RATELIMIT_METRICS_FAILURES_PER_IP"], deduct_when=refused)
def metrics():
    """Prometheus text; 404 unless METRICS_TOKEN is set and sent as `Authorization: Bearer <token>`."""
    expected = current_app.config.get("METRICS_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(404)  # not public: whoever lacks the token is not told that it exists
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


def registry():
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        from prometheus_client import REGISTRY

        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected
