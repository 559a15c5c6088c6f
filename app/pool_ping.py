"""Pooled PostgreSQL connections are pinged only after they sat idle, not on every checkout.

SQLAlchemy's pool_pre_ping sends a `SELECT 1` round trip before every request's first statement (≈ 7 % of a
join's worker CPU by py-spy, 2026-12-02). A connection used a moment ago is alive unless the database went
away in that moment, and then the request fails once with a 503 its client retries (joins carry their
Idempotency-Key). A connection idle longer than IDLE_SECONDS — after a quiet spell, a network blip, a
database restart — is pinged as before and replaced when dead, before any request sees it.
"""

import time

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_SECONDS = 10
RETURNED_AT = "returned_at"


def init_app(app: Flask) -> None:
    from app.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "postgresql":
                ping_after_idle(engine)


def ping_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def remember_return(_dbapi_connection, record) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(RETURNED_AT, 0.0) < IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("pooled connection found dead after idling") from exc
