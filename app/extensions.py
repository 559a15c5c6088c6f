"""Extensions, created unbound and bound in create_app()."""

import redis
from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so Alembic batch mode on SQLite can drop and recreate them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def settle_rate_limit_fallback() -> None:
    """In the preloading master, before a fork: let the in-memory fallback store's expiry timer finish.

    limits' MemoryStorage starts a 10 ms timer thread (a greenlet under gevent) when created; one still
    pending at the fork would finish in the worker, outside gevent's thread registry, and print a traceback.
    Finished, it is simply started anew in the worker when the fallback is first used.
    """
    storage = getattr(limiter, "_fallback_storage", None)  # Flask-Limiter keeps no public handle on it
    if storage is not None:
        storage.timer.join()


class RedisHandle:
    """The Redis client of the current app; None in embedded mode (no REDIS_URL)."""

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None
        app.extensions["redis_client"] = client

    @property
    def client(self) -> redis.Redis | None:
        return current_app.extensions["redis_client"]

    @property
    def enabled(self) -> bool:
        return self.client is not None


redis_handle = RedisHandle()


class WeChatHandle:
    """The mini-program's WeChat client of the current app, or None when WECHAT_APPID is unset."""

    def init_app(self, app: Flask) -> None:
        client = None
        if app.config.get("WECHAT_APPID"):
            # lazy: wechatpy + requests cost each worker ≈ 7 MB; an app without WECHAT_APPID never needs them
            from app.wechat_client import SharedTokenStorage, UnionWeChatClient

            redis_client = app.extensions["redis_client"]
            # With Redis, every worker process shares one access token instead of fetching its own.
            storage = SharedTokenStorage(redis_client) if redis_client else None
            client = UnionWeChatClient(
                app.config["WECHAT_APPID"],
                app.config["WECHAT_SECRET"],
                app.config["WECHAT_API_BASE_URL"],
                app.config["WECHAT_TIMEOUT"],
                session=storage,
            )
        app.extensions["wechat_client"] = client

    @property
    def client(self):
        return current_app.extensions["wechat_client"]

    @property
    def enabled(self) -> bool:
        return self.client is not None


wechat = WeChatHandle()


# No inline script or style anywhere: JS lives in app/static/*.js, data reaches it through data-* attributes.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class SecurityHeaders:
    """CSP, nosniff, frame and referrer rules on every response (docs/security.md), set by flask-talisman."""

    def init_app(self, app: Flask) -> None:
        # Registered before talisman's hook, so it runs after it (Flask runs after_request hooks in reverse).
        app.after_request(hide_token_urls_from_referrer)
        # One Talisman per app: it keeps its settings on itself, and the tests build several apps.
        app.extensions["talisman"] = Talisman(
            app,
            content_security_policy=CONTENT_SECURITY_POLICY,
            frame_options="DENY",
            # same-origin, not no-referrer: Flask-WTF's CSRF check over HTTPS needs our own Referer.
            referrer_policy="same-origin",
            # TLS ends at the reverse proxy, which redirects plain HTTP; HSTS keeps browsers on HTTPS after.
            force_https=False,
            strict_transport_security=app.config["APP_ENV"] == "production",
            session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
            session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        )

    @staticmethod
    def no_referrer(view):
        """Mark a page whose URL carries a secret token: links from it must not send that URL on."""
        view.no_referrer = True
        return view


def hide_token_urls_from_referrer(response):
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "no_referrer", False):
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


security_headers = SecurityHeaders()
