"""The bare baseline of bench/join_load.py: per request one ORM insert and one Redis HINCRBY, nothing else.

Served by the same gunicorn settings as the real app (`gunicorn -c gunicorn.conf.py
'bench.baseline_app:create_baseline_app()'`),
on the same database and Redis, so the ratio real/baseline is the cost of everything the real path adds.
"""

import os
from datetime import UTC, datetime

import redis
from flask import Flask, jsonify, request
from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from app import pool_ping
from app.config import engine_options
from app.extensions import db  # the project's instance: whatever gunicorn.conf.py does with `db` applies to both

COUNTER_KEY = "baseline:joins"


class BaselineJoin(db.Model):
    __tablename__ = "bench_baseline_joins"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))


def create_baseline_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(os.environ["DATABASE_URL"])
    db.init_app(app)
    pool_ping.init_app(app)  # the project's pool behaviour too
    counters = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2)

    @app.post("/join")
    def join():
        row = BaselineJoin(name=str((request.get_json(silent=True) or {}).get("name", ""))[:40])
        db.session.add(row)
        db.session.commit()
        counters.hincrby(COUNTER_KEY, "joins", 1)
        return jsonify(id=row.id), 201

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app

