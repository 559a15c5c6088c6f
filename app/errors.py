"""The one error type of the service and its JSON and HTML renderers."""

import time

from flask import Flask, jsonify, make_response, render_template, request
from redis import RedisError
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool
from werkzeug.exceptions import HTTPException

from app import outage_log
from app.extensions import limiter
from app.metrics import BACKEND_ERRORS

HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "找不到该页面或资源"),
    405: ("method_not_allowed", "不支持该请求方式"),
    409: ("conflict", "操作与当前状态冲突"),
    410: ("gone", "本场沟通会已结束"),
    413: ("payload_too_large", "提交的内容过大"),
    422: ("validation_error", "填写的内容有误"),
    429: ("rate_limited", "操作太频繁，请稍后再试"),
    500: ("internal_error", "服务器开小差了，请稍后再试"),
    503: ("unavailable", "服务暂时不可用，请稍后再试"),
}


class AppError(Exception):
    """A failure a person or a program can act on: stable code, HTTP status, Chinese message."""

    def __init__(
        self, code: str, message: str, status: int = 400, fields: dict | None = None, retry_after: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}
        self.retry_after = retry_after

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


def error_response(status: int, code: str | None = None, message: str | None = None, fields=None):
    """Build the JSON error body of SPEC §8 for an HTTP status."""
    default_code, default_message = HTTP_MESSAGES.get(status, HTTP_MESSAGES[500])
    error = AppError(code or default_code, message or default_message, status, fields)
    return jsonify(error.to_dict()), status


def wants_json() -> bool:
    return (
        request.path.startswith(("/mp/", "/api/", "/live/"))
        or request.accept_mimetypes.best == "application/json"
    )


def render_error(error: AppError):
    body = jsonify(error.to_dict()) if wants_json() else render_template("error.html", error=error)
    response = make_response(body, error.status)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def handle_app_error(error: AppError):
        return render_error(error)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        code, message = HTTP_MESSAGES.get(exc.code or 500, HTTP_MESSAGES[500])
        response = render_error(AppError(code, message, exc.code or 500))
        if exc.code == 429:
            response.headers["Retry-After"] = str(seconds_until_limit_resets())
        return response

    @app.errorhandler(OperationalError)
    def handle_database_down(exc: OperationalError):
        # The database gone for a minute: tell the phone to retry, never show a trace.
        BACKEND_ERRORS.labels("database").inc()
        outage_log.database.failed("database unavailable on %s %s", request.method, request.path, exc_info=exc)
        return render_error(AppError("database_unavailable", "系统繁忙，请稍后重试", 503, retry_after=5))

    @app.errorhandler(RedisError)
    def handle_redis_down(exc: RedisError):
        # Joins, logins, scans and `me` never need Redis; what does (a shared WeChat token, a live
        # snapshot) answers "try again" while it is away — a Redis outage is never a 500.
        BACKEND_ERRORS.labels("redis").inc()
        outage_log.redis.failed("redis unavailable on %s %s", request.method, request.path, exc_info=exc)
        return render_error(AppError("redis_unavailable", "系统繁忙，请稍后重试", 503, retry_after=5))

    # A connection handed out by a pool means the database answers: after an outage the pool was emptied,
    # so the first checkout that succeeds opened a new connection.
    if not event.contains(Pool, "checkout", database_answered):
        event.listen(Pool, "checkout", database_answered)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        code, message = HTTP_MESSAGES[500]
        return render_error(AppError(code, message, 500))


def database_answered(_dbapi_connection, _record, _proxy) -> None:
    outage_log.database.answered()


def seconds_until_limit_resets() -> int:
    """When the breached rate limit lets this client in again (one Redis read, on refusals only).

    RATELIMIT_HEADERS_ENABLED stays off: Flask-Limiter would read the window (two Redis calls) on every
    successful request just to write X-RateLimit-* headers nobody reads.
    """
    breached = limiter.current_limit
    return max(1, breached.reset_at - int(time.time())) if breached else 60
