"""Probes: /healthz says the process lives, /readyz checks the database (Redis down: test_redis_outage)."""

import socket

from app import create_app
from tests.conftest import SCALED, settings_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["database"] == "ok"
    assert ("redis" in response.json["checks"]) == SCALED


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/missing?connect_timeout=2"
    app = create_app(settings_for(url))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("error")
