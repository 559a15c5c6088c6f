"""Logs an operator can use: one JSON object per line, each tagged with its request's id.

The id comes from the proxy's X-Request-ID when it looks like one (nginx's $request_id), else is made here,
and is sent back in the X-Request-ID response header so a complaint can be matched to its lines. A line per
request names the route (the rule, never the path: paths carry display tokens and entry codes), never a
body: names, ID numbers and mobiles are not logged (tests/test_observability.py greps a whole join flow).
"""

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")
# Flask-Limiter's line for a breach; its second argument is the limit's key, which may stand for a person
# (a worker, an ID number's hash): logged without it (tests/api/test_limiter_keys.py holds the wording to it).
LIMITER_BREACH = "ratelimit %s (%s) exceeded at endpoint: %s"

log = logging.getLogger("union_intake.request")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (also gunicorn's own lines, through logconfig_dict)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def without_limit_key(record: logging.LogRecord) -> bool:
    """Flask-Limiter's breach line with the limit and endpoint only."""
    if record.msg == LIMITER_BREACH:
        limit, _key, endpoint = record.args
        record.msg, record.args = "ratelimit %s exceeded at endpoint: %s", (limit, endpoint)
    return True


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def init_app(app: Flask) -> None:
    """JSON lines on stderr (unless a handler is already set up, e.g. by gunicorn or pytest), ids per request."""
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    logging.getLogger("flask-limiter").addFilter(without_limit_key)  # the same filter is added once
    if not app.testing:
        logging.captureWarnings(True)  # a library's warning is a JSON line too, not a bare stderr line
    app.before_request(assign_request_id)
    app.after_request(log_request)


def assign_request_id() -> None:
    offered = request.headers.get(HEADER, "")
    g.request_id = offered if WELL_FORMED_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    if "request_id" not in g:  # a request refused before before_request ran (e.g. too large)
        assign_request_id()
    response.headers[HEADER] = g.request_id
    log.info("request", extra={
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else "unmatched",
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
    })
    return response
