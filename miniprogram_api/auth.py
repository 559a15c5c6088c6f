"""Our own bearer tokens for the mini-program and the H5 page: signed, expiring, naming one worker.

WeChat's session_key never leaves the server; the phone only ever holds this token.
"""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import AppError
from app.models import Worker
from app.services.intake import workers

SALT = "mp-v1-worker-token"


def login_required() -> AppError:
    return AppError("unauthorized", "请先登录", 401)


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_token(worker: Worker) -> dict:
    """The login answer: a token for this worker and how long it lives."""
    return {"token": serializer().dumps({"w": worker.id}), "expires_in": ttl(), "worker": worker}


def ttl() -> int:
    return current_app.config["MP_TOKEN_TTL_SECONDS"]


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_worker_id() -> int:
    """The worker id inside the request's valid token, or 401."""
    token = bearer_token()
    if token is None:
        raise login_required()
    try:
        payload = serializer().loads(token, max_age=ttl())
    except SignatureExpired as exc:
        raise AppError("token_expired", "登录已过期，请重新进入", 401) from exc
    except BadSignature as exc:
        raise login_required() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("w"), int):
        raise login_required()
    return payload["w"]


def authenticate() -> None:
    """Before every protected endpoint: the token's worker becomes g.worker."""
    worker = workers.find(token_worker_id())
    if worker is None:
        raise login_required()
    g.worker = worker


def current_worker() -> Worker:
    return g.worker


def worker_or_address() -> str:
    """Rate-limit key: the worker when the token is valid (a venue may share one NAT address), else the IP."""
    if "worker" in g:  # authenticate() already checked the token of this request
        return f"worker:{g.worker.id}"
    try:
        return f"worker:{token_worker_id()}"
    except AppError:
        return f"ip:{get_remote_address()}"
