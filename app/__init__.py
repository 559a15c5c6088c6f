"""union-intake: the backend and staff web behind the 职工沟通会 scan-to-join mini-program."""

import os

from flask import Flask

from app import metrics, pool_ping, proxy, request_log
from app.config import load_config
from app.extensions import csrf, db, limiter, login_manager, migrate, redis_handle, security_headers, wechat
from app.json_body import StrictJSONProvider
from app.wrappers import InMemoryUploadRequest


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app for APP_ENV (or test_config's overrides); refuses to start when misconfigured."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = StrictJSONProvider(app)
    app.request_class = InMemoryUploadRequest
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, test_config))
    request_log.init_app(app)  # before anything logs: the JSON handler must be the one Flask's logger finds

    db.init_app(app)
    pool_ping.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, directory=migrations_directory())
    login_manager.init_app(app)
    csrf.init_app(app)
    redis_handle.init_app(app)
    wechat.init_app(app)
    limiter.init_app(app)
    proxy.install(app)
    security_headers.init_app(app)

    register_blueprints(app)
    metrics.init_app(app)

    from app.errors import register_error_handlers

    register_error_handlers(app)

    from app.cli import register_commands

    register_commands(app)
    return app


def migrations_directory() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def register_blueprints(app: Flask) -> None:
    from app.booth import bp as booth_bp
    from app.display import bp as display_bp
    from app.entry import bp as entry_bp
    from app.health import bp as health_bp
    from app.reports import bp as reports_bp
    from app.staff import bp as staff_bp
    from miniprogram_api import init_app as init_miniprogram_api

    app.register_blueprint(health_bp)
    app.register_blueprint(staff_bp)
    init_miniprogram_api(app)
    app.register_blueprint(display_bp)
    app.register_blueprint(booth_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(entry_bp)
