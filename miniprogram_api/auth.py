"""Our own bearer tokens for the mini-program and the H5 page: signed, expiring, naming one worker.

WeChat's session_key never leaves the server; the phone only ever holds this token. A request is
authenticated by the signature alone, without reading the worker's row: the row is loaded only by a handler
that needs more than the id (current_worker()). Keys rotate through SECRET_KEY_FALLBACKS (tokens signed with
an old key keep working until they expire), and a worker's tokens are revoked through workers.revoke_tokens,
whose revocation list each process caches and forgets at once on a revoke.
"""

import time

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
    # Signs with the last key; verifies with any of them, newest first.
    keys = [*current_app.config["SECRET_KEY_FALLBACKS"], current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=SALT)


def issue_token(worker: Worker) -> dict:
    """The login answer: a token for this worker and how long it lives."""
    # "i": when, in milliseconds (the signature's own timestamp has whole seconds), so a revoke refuses every
    # token issued before it and none issued after it, even within the same second. "k": how the worker signed
    # in (wechat, dev, h5), which the submission limits weigh without reading the worker's row.
    payload = {"w": worker.id, "i": int(time.time() * 1000), "k": workers.kind_of(worker)}
    return {"token": serializer().dumps(payload), "expires_in": ttl(), "worker": worker}


def ttl() -> int:
    return current_app.config["MP_TOKEN_TTL_SECONDS"]


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_worker_id() -> int:
    """The worker id inside the request's valid token, or 401."""
    return token_claims()["w"]


def token_claims() -> dict:
    """The claims of the request's valid token ("w": the worker id, "i": when, "k": how), or 401."""
    token = bearer_token()
    if token is None:
        raise login_required()
    try:
        payload, issued_at = serializer().loads(token, max_age=ttl(), return_timestamp=True)
    except SignatureExpired as exc:
        raise AppError("token_expired", "登录已过期，请重新进入", 401) from exc
    except BadSignature as exc:
        raise login_required() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("w"), int):
        raise login_required()
    revoked_at = workers.tokens_revoked_at(payload["w"])
    issued_ms = payload.get("i", issued_at.timestamp() * 1000)
    if revoked_at is not None and issued_ms <= revoked_at.timestamp() * 1000:
        raise AppError("token_revoked", "登录已失效，请重新进入", 401)
    return payload


def authenticate() -> None:
    """Before every protected endpoint: the valid token's worker id becomes g.worker_id (nothing is read)."""
    claims = token_claims()
    g.worker_id, g.signed_in_by = claims["w"], claims.get("k")


def signed_in_by() -> str:
    """How the request's worker signed in: wechat, dev or h5."""
    # Tokens issued before 2026-12-07 do not say: their worker's row does (until they expire, MP_TOKEN_TTL_SECONDS).
    return g.get("signed_in_by") or workers.kind_of(current_worker())


def current_worker_id() -> int:
    return g.worker_id


def current_worker() -> Worker:
    """The token's worker row, loaded the first time a handler needs more than its id."""
    if "worker" not in g:
        worker = workers.find(g.worker_id)
        if worker is None:
            raise login_required()
        g.worker = worker
    return g.worker


def worker_or_address() -> str:
    """Rate-limit key: the worker when the token is valid (a venue may share one NAT address), else the IP."""
    if "worker_id" in g:  # authenticate() already checked the token of this request
        return f"worker:{g.worker_id}"
    try:
        return f"worker:{token_worker_id()}"
    except AppError:
        return f"ip:{get_remote_address()}"
