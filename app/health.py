"""Liveness and readiness probes for the proxy and the orchestrator."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db, limiter, redis_handle

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """503 without the database; 200 "degraded" without Redis, since joins and logins still work then."""
    checks = {"database": check_database()}
    if redis_handle.enabled:
        checks["redis"] = check_redis()
    if checks["database"] != "ok":
        return jsonify(status="unavailable", checks=checks), 503
    return jsonify(status="ok" if checks.get("redis", "ok") == "ok" else "degraded", checks=checks), 200


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any driver error means "not ready"
        db.session.rollback()
        return f"error: {type(exc).__name__}"


def check_redis() -> str:
    try:
        redis_handle.client.ping()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
