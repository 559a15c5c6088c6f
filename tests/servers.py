"""gunicorn under the project's gunicorn.conf.py, started by a test on a free port of its own."""

import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.test_health import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


@contextmanager
def gunicorn(app_spec: str, env: dict, *options: str, stderr=subprocess.DEVNULL):
    """Serve `app_spec` until the block ends (SIGTERM then, unless the test already stopped it); yields
    (server process, port) once it answers /healthz."""
    port = free_port()
    command = [str(GUNICORN), "-c", "gunicorn.conf.py", "--no-control-socket", "--bind", f"127.0.0.1:{port}",
               *options, app_spec]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr, start_new_session=True)
    try:
        wait_until_answering(port)
        yield server, port
    finally:
        if server.poll() is None:
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
