"""Pooled PostgreSQL connections (app/pool_ping.py): one that died while idle is replaced before a request sees
it; one used a moment ago is not pinged, so its sudden death fails one statement and the pool then heals."""

import os

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import pool_ping
from app.extensions import db

pytestmark = pytest.mark.scaled_only


def pooled_backend() -> int:
    """The server process of the one connection left in the pool, which goes back to it at once."""
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()
    return pid


def terminate(pid: int) -> None:
    """What a database restart or a firewall dropping an idle socket does to a pooled connection."""
    with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


@pytest.fixture
def one_pooled_connection(app):
    db.engine.dispose()  # an empty pool: the next checkout reuses the connection the test kills
    yield
    db.session.remove()


def test_a_connection_that_died_while_idle_is_replaced_before_a_request_uses_it(
    one_pooled_connection, client, monkeypatch
):
    dead = pooled_backend()
    terminate(dead)
    monkeypatch.setattr(pool_ping, "IDLE_SECONDS", 0)  # it has sat idle long enough to be pinged
    answer = client.get("/readyz")
    assert (answer.status_code, answer.json["checks"]["database"]) == (200, "ok")
    assert db.session.scalar(text("SELECT pg_backend_pid()")) != dead


def test_a_connection_used_a_moment_ago_is_not_pinged_so_its_death_fails_one_statement(one_pooled_connection):
    dead = pooled_backend()
    terminate(dead)
    with pytest.raises(OperationalError):
        db.session.execute(text("SELECT 1"))
    db.session.remove()
    assert pooled_backend() != dead
