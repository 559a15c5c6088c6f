"""Debian's nginx, configured from deploy/nginx (rendered like production), in front of gunicorn app hosts.

Used by tests/deploy and bench/faults.py. Everything listens on 127.0.0.1 ports of its own; nginx runs as
the current user from a temporary prefix (its pid, logs and temp files there), in the foreground.
"""

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy.render_nginx import render  # noqa: E402

NGINX = "/usr/sbin/nginx"
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
# What Debian's /etc/nginx/nginx.conf gives the site file, with every path inside the prefix.
MAIN_CONFIG = """
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/union-intake.conf;
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "proxy.pem", directory / "proxy.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out",
                    str(certificate)], check=True, capture_output=True)
    return certificate, key


class AppHost:
    """One gunicorn (wsgi:app under gunicorn.conf.py) on its own port: one "host" of the deployment."""

    def __init__(self, env: dict, workers: int, log_path: Path, port: int | None = None):
        self.port = port or free_port()  # a restarted host comes back on its port
        self.env, self.workers, self.log_path = env, workers, log_path
        command = [GUNICORN, "-c", "gunicorn.conf.py", "--no-control-socket", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(workers), "--access-logfile", "/dev/null", "--error-logfile", str(log_path),
                   "wsgi:app"]
        with open(log_path, "ab") as log:  # the app's own log lines go to stderr
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log, start_new_session=True)
        wait_until_answering(lambda: http.client.HTTPConnection("127.0.0.1", self.port, timeout=2), self.process)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self, timeout: float = 40) -> int:
        """SIGTERM to the master only, as systemd does (KillMode=mixed); returns its exit status."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=timeout)
        self.stop_seconds = time.monotonic() - started
        return status

    def restart(self) -> "AppHost":
        """What `systemctl restart` does: SIGTERM, wait for the drained exit, start again on the same port."""
        status = self.stop()
        if status != 0:
            raise RuntimeError(f"gunicorn on port {self.port} exited with {status}, not drained")
        return AppHost(self.env, self.workers, self.log_path, self.port)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Proxy:
    """nginx from deploy/nginx/union-intake.conf.in, rendered for these app hosts, HTTPS on a free port."""

    def __init__(self, prefix: Path, app_addresses: list[str]):
        self.prefix = prefix
        prefix.mkdir(parents=True, exist_ok=True)
        certificate, key = self_signed_certificate(prefix)
        self.port, self.http_port = free_port(), free_port()
        self.access_log = prefix / "union-intake.access.log"
        site = render(app_addresses, "localhost", str(certificate), str(key), str(ROOT / "app" / "static"),
                      https_port=f"127.0.0.1:{self.port}", http_port=f"127.0.0.1:{self.http_port}",
                      access_log=str(self.access_log), error_log=str(prefix / "error.log"))
        (prefix / "union-intake.conf").write_text(site)
        (prefix / "nginx.conf").write_text(MAIN_CONFIG.format(prefix=prefix))
        self.tls = ssl.create_default_context(cafile=str(certificate))
        self.process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                                         str(prefix / "error.log"), "-g", "daemon off;"], start_new_session=True)
        wait_until_answering(lambda: self.connection(), self.process)

    def connection(self, source: str = "127.0.0.1", timeout: float = 10) -> http.client.HTTPSConnection:
        """A client's connection to the proxy from `source` (any 127.x address: a different client)."""
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=self.tls,
                                           source_address=(source, 0))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
            self.process.wait(timeout=20)


def wait_until_answering(connect, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            connection = connect()
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.args[0]} did not come up")
        time.sleep(0.2)


def call(connection: http.client.HTTPConnection, method: str, path: str, body: dict | None = None,
         headers: dict | None = None) -> tuple[int, dict, dict]:
    """One JSON request on a fresh connection: (status, response headers, parsed JSON body or {})."""
    payload = json.dumps(body).encode() if body is not None else None
    sent_headers = {"Content-Type": "application/json", **(headers or {})} if payload else dict(headers or {})
    try:
        connection.request(method, path, body=payload, headers=sent_headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    parsed = json.loads(raw) if raw and response.getheader("Content-Type", "").startswith("application/json") else {}
    return response.status, dict(response.getheaders()), parsed
