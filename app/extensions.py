"""Extensions, created unbound and bound in create_app()."""

import redis
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
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


class RedisHandle:
    """The one Redis connection pool of the process; None in embedded mode (no REDIS_URL)."""

    def __init__(self):
        self.client: redis.Redis | None = None

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None
        app.extensions["redis"] = self

    @property
    def enabled(self) -> bool:
        return self.client is not None


redis_handle = RedisHandle()
