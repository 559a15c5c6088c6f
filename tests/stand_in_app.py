"""A stand-in WSGI app for tests of the server itself (gunicorn.conf.py): a body that takes its time, an
answer that starts late, an endless event stream and a quick answer — each held open while a test stops
the server."""

import time
from pathlib import Path
from urllib.parse import parse_qs


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/slow":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return slow_body(float(environ["QUERY_STRING"] or 2))
    if path == "/late":
        return late_answer(environ, start_response)
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        return endless_stream()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def slow_body(seconds: float):
    yield b"started\n"  # the client knows the request is in flight
    time.sleep(seconds)
    yield b"done\n"


def late_answer(environ, start_response):
    """Writes the file named in ?mark= (the request is in the app), waits ?seconds=, only then answers."""
    query = parse_qs(environ["QUERY_STRING"])
    Path(query["mark"][0]).write_text("in the app")
    time.sleep(float(query["seconds"][0]))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
    return [b"late"]


def endless_stream():
    while True:
        yield b": heartbeat\n\n"
        time.sleep(0.5)
