"""Settings read from the environment in one place (SPEC §4)."""

import json
import os
import re
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask.helpers import get_debug_flag

# Production is scaled mode: without REDIS_URL every process would keep its own rate limits and counters.
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "PII_KEY", "PII_HMAC_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "REDIS_URL")
DEV_SECRET_NAMES = ("SECRET_KEY", "PII_KEY", "PII_HMAC_KEY")
MIN_KEY_LENGTH = 32
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1,::1"
# Whom a worker reaches about their personal data after the day (个人信息保护说明); production sets a real one.
DEMO_PRIVACY_CONTACT = "北京市顺义区总工会 · 电话 010-0000 0000（演示号码）· 工作日 9:00—17:00"
WXACODE_ENV_VERSIONS = ("release", "trial", "develop")  # getwxacodeunlimit's env_version, the default first


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the app; the message names the variable."""


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool) -> bool:
    # A word that is neither is refused rather than read as "off": H5_JOIN_ENABLED=flase must not close a door.
    value = env_str(name)
    if value is None:
        return default
    if value.lower() not in TRUE_WORDS + FALSE_WORDS:
        raise ConfigError(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), got {value!r}")
    return value.lower() in TRUE_WORDS


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc


def env_choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset)."""
    value = env_str(name, choices[0])
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def link_verify_file(value: str | None) -> tuple[str, str] | None:
    """WECHAT_LINK_VERIFY_FILE as (file name, content), as given in 开发管理 → 扫普通链接二维码打开小程序."""
    if not value:
        return None
    name, _, content = value.partition(":")
    if not re.fullmatch(r"[A-Za-z0-9_-]+\.txt", name) or not content.strip():
        raise ConfigError('WECHAT_LINK_VERIFY_FILE must be "<name>.txt:<content>", e.g. "abc123.txt:0f1e2d3c"')
    return name, content.strip()


def limiter_storage_uri(redis_url: str | None) -> str:
    """Flask-Limiter's name for the same Redis: a Unix socket is `redis+unix://` to it, `unix://` to redis-py."""
    if not redis_url:
        return "memory://"
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


class Config:
    """Defaults shared by every environment; subclasses adjust them."""

    APP_ENV = "development"
    TESTING = False

    def __init__(self, instance_path: str):
        self.instance_path = instance_path
        self.SECRET_KEY = env_str("SECRET_KEY")
        # Key rotation: the previous SECRET_KEY(s), comma-separated; what they signed (sessions, bearer tokens)
        # still verifies until it expires, while everything new is signed with SECRET_KEY.
        fallbacks = env_str("SECRET_KEY_FALLBACKS", "").split(",")
        self.SECRET_KEY_FALLBACKS = [key.strip() for key in fallbacks if key.strip()]
        self.PII_KEY = env_str("PII_KEY")
        self.PII_HMAC_KEY = env_str("PII_HMAC_KEY")
        default_db = "sqlite:///" + os.path.join(instance_path, "union_intake.db")
        self.SQLALCHEMY_DATABASE_URI = env_str("DATABASE_URL", default_db)
        self.REDIS_URL = env_str("REDIS_URL")
        self.PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        self.WECHAT_APPID = env_str("WECHAT_APPID")
        self.WECHAT_SECRET = env_str("WECHAT_SECRET")
        self.WECHAT_API_BASE_URL = env_str("WECHAT_API_BASE_URL", "https://api.weixin.qq.com").rstrip("/")
        self.WECHAT_TIMEOUT = env_int("WECHAT_TIMEOUT_SECONDS", 5)
        # The mini-program page a 小程序码 opens (it receives the entry code as `scene`).
        self.WECHAT_ENTRY_PAGE = env_str("WECHAT_ENTRY_PAGE", "pages/entry/index")
        # Which version a 小程序码 opens: trial (体验版) or develop while testing before release. Only a released
        # version has its pages checked by WeChat, so check_path is off otherwise (it would refuse the code).
        self.WECHAT_WXACODE_ENV_VERSION = env_choice("WECHAT_WXACODE_ENV_VERSION", WXACODE_ENV_VERSIONS)
        self.WECHAT_WXACODE_CHECK_PATH = env_bool(
            "WECHAT_WXACODE_CHECK_PATH", self.WECHAT_WXACODE_ENV_VERSION == "release"
        )
        # "<name>.txt:<content>": the file WeChat fetches from the site root before 普通链接二维码 may open the
        # mini-program; configured, not committed (each deployment's domain has its own).
        self.WECHAT_LINK_VERIFY_FILE = link_verify_file(env_str("WECHAT_LINK_VERIFY_FILE"))
        self.H5_JOIN_ENABLED = env_bool("H5_JOIN_ENABLED", True)
        self.DEV_LOGIN_ENABLED = env_bool("DEV_LOGIN_ENABLED", self.APP_ENV != "production")
        self.RETENTION_DAYS = env_int("RETENTION_DAYS", 180)
        # Subscribe-message template telling a worker the review result; unset = no message.
        self.WECHAT_REVIEW_TEMPLATE_ID = env_str("WECHAT_REVIEW_TEMPLATE_ID")
        # District targets in percent: 建会率, 入会率, 新就业形态劳动者入会率.
        self.KPI_TARGET_FOUNDING = env_int("KPI_TARGET_FOUNDING", 95)
        self.KPI_TARGET_MEMBERSHIP = env_int("KPI_TARGET_MEMBERSHIP", 90)
        self.KPI_TARGET_NEW_FORM = env_int("KPI_TARGET_NEW_FORM", 85)
        self.RATELIMIT_STAFF_LOGIN = env_str("RATELIMIT_STAFF_LOGIN", "10/minute")
        # Booth help by ID number, per staff account: every answer tells an ID number's status (issue 22).
        self.RATELIMIT_BOOTH_LOOKUP_PER_USER = env_str("RATELIMIT_BOOTH_LOOKUP_PER_USER", "30/hour")
        # /mp/v1: a whole venue may share one carrier-NAT address, so the tight limit is per token. A WeChat login
        # proves a real WeChat account (code2session), so per address it admits the crowd at the doors; an H5
        # visitor costs nothing to make, so per address only a few (issue 22 item 5).
        self.RATELIMIT_MP_LOGIN = env_str("RATELIMIT_MP_LOGIN", "600/minute")
        self.RATELIMIT_MP_H5_PER_IP = env_str("RATELIMIT_MP_H5_PER_IP", "30/hour")
        self.RATELIMIT_MP_SUBMIT_PER_TOKEN = env_str("RATELIMIT_MP_SUBMIT_PER_TOKEN", "10/minute")
        self.RATELIMIT_MP_SUBMIT_PER_IP = env_str("RATELIMIT_MP_SUBMIT_PER_IP", "600/minute")
        # ID-card OCR is a paid WeChat service: a worker needs one photo, two or three when it is blurred.
        self.RATELIMIT_MP_OCR_PER_TOKEN = env_str("RATELIMIT_MP_OCR_PER_TOKEN", "5/minute;20/day")
        # Per address a venue's crowd (≈ 60 people a minute at the doors, not all photographing); per deployment
        # a bill: calls per Beijing day, then every worker types (0 turns OCR off).
        self.RATELIMIT_MP_OCR_PER_IP = env_str("RATELIMIT_MP_OCR_PER_IP", "60/minute;600/hour")
        self.ID_CARD_OCR_DAILY_BUDGET = env_int("ID_CARD_OCR_DAILY_BUDGET", 2000)
        # Opening a code records a scan: per address, generous (a venue shares one carrier-NAT address), so
        # one machine cannot inflate a booth's scan figures; a display page is opened once per screen.
        self.RATELIMIT_SCAN_PER_IP = env_str("RATELIMIT_SCAN_PER_IP", "600/minute")
        self.RATELIMIT_DISPLAY_PER_IP = env_str("RATELIMIT_DISPLAY_PER_IP", "60/minute")
        # No X-RateLimit-* headers on successes (two Redis reads per request); a 429 still carries Retry-After.
        self.RATELIMIT_HEADERS_ENABLED = False
        # Scaled mode: how often one process of the deployment compares the counters of open meetings with
        # SQL and repairs drift (a worker killed between a commit and its count); heals within two periods. 0 = off.
        self.INTAKE_RECONCILE_SECONDS = env_int("INTAKE_RECONCILE_SECONDS", 20)
        # /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it answers 404 to everyone.
        self.METRICS_TOKEN = env_str("METRICS_TOKEN")
        # Wrong /metrics tokens per address; once spent, even the right one waits (no oracle for a guesser).
        self.RATELIMIT_METRICS_FAILURES_PER_IP = env_str("RATELIMIT_METRICS_FAILURES_PER_IP", "10/hour")
        self.MP_TOKEN_TTL_SECONDS = env_int("MP_TOKEN_TTL_SECONDS", 7 * 24 * 3600)
        # Answers that tell an ID number's status (409 already_applied / already_member, 201 a new application) and
        # recoveries: tight per token and per address, so nobody can test ID numbers in bulk (issue 10 item 4); the
        # address pays for every answer but a WeChat account's first in the token's window (issue 22 item 5).
        self.RATELIMIT_MP_STATUS_PER_TOKEN = env_str("RATELIMIT_MP_STATUS_PER_TOKEN", "10/hour")
        self.RATELIMIT_MP_STATUS_PER_IP = env_str("RATELIMIT_MP_STATUS_PER_IP", "30/hour")
        self.RATELIMIT_MP_RECOVER_PER_TOKEN = env_str("RATELIMIT_MP_RECOVER_PER_TOKEN", "5/hour")
        self.RATELIMIT_MP_RECOVER_PER_IP = env_str("RATELIMIT_MP_RECOVER_PER_IP", "20/hour")
        self.RATELIMIT_MP_RECOVER_PER_ID = env_str("RATELIMIT_MP_RECOVER_PER_ID", "5/hour")
        # What the worker is told after joining, and the two notices (app/services/intake/notices.py).
        self.REVIEW_WORKING_DAYS = env_int("REVIEW_WORKING_DAYS", 5)
        self.DISTRICT_UNION_NAME = env_str("DISTRICT_UNION_NAME", "北京市顺义区总工会")
        self.PRIVACY_CONTACT = env_str("PRIVACY_CONTACT", DEMO_PRIVACY_CONTACT)
        self.PRIVACY_NOTICE_FILE = env_str("PRIVACY_NOTICE_FILE")
        self.CARD_INFO_FILE = env_str("CARD_INFO_FILE")
        # 互助服务卡 age rule (reported Beijing practice): women under 55, men under 60; 0 switches it off.
        self.CARD_AGE_LIMIT_FEMALE = env_int("CARD_AGE_LIMIT_FEMALE", 55)
        self.CARD_AGE_LIMIT_MALE = env_int("CARD_AGE_LIMIT_MALE", 60)
        self.RATELIMIT_STORAGE_URI = limiter_storage_uri(self.REDIS_URL)
        # Redis down: each process counts limits in its own memory until Redis answers again, so joins,
        # logins and scans go on (a worker could exceed a limit by the number of processes meanwhile).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # Under gevent the requests in flight when Redis dies fail together: the first switches the limiter to
        # its fallback, and without this the others re-raised the Redis error as a 503 (bench/faults.py saw
        # 1-2 joins per host). They pass unlimited once, logged, instead.
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.MAX_CONTENT_LENGTH = 65536
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Behind the TLS proxy: how many proxies append to X-Forwarded-For (nginx alone = 1; 0 = clients connect
        # directly), and which peers may send those headers at all (gunicorn.conf.py reads the same list).
        self.PROXY_COUNT = env_int("PROXY_COUNT", 0)
        self.FORWARDED_ALLOW_IPS = env_str("FORWARDED_ALLOW_IPS", DEFAULT_FORWARDED_ALLOW_IPS)

    def finalize(self) -> None:
        """Fill development secrets; subclasses validate instead."""
        if self.SECRET_KEY and self.PII_KEY and self.PII_HMAC_KEY:
            return
        stored = load_dev_secrets(Path(self.instance_path) / "dev-secrets.json")
        for name in DEV_SECRET_NAMES:
            if not getattr(self, name):
                setattr(self, name, stored[name])

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in dir(self) if k.isupper()}


class TestConfig(Config):
    APP_ENV = "test"
    TESTING = True


class ProductionConfig(Config):
    APP_ENV = "production"

    def __init__(self, instance_path: str):
        super().__init__(instance_path)
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)

    def finalize(self) -> None:
        for name in REQUIRED_IN_PRODUCTION:
            if not env_str(name):
                raise ConfigError(f"production needs the environment variable {name}; it is missing or empty")
        if self.DEV_LOGIN_ENABLED:
            raise ConfigError("production refuses DEV_LOGIN_ENABLED=1: the dev:<name> login must be off")
        if get_debug_flag():
            # Debug mode shows tracebacks (and, under `flask run`, an interactive debugger) to whoever hits an error.
            raise ConfigError("production refuses FLASK_DEBUG: unset it or set it to 0")
        self.check_ways_to_join()
        self.check_key_lengths()
        if self.PRIVACY_CONTACT == DEMO_PRIVACY_CONTACT:  # unset, or the demo's copied
            raise ConfigError("production needs PRIVACY_CONTACT: the phone, address or e-mail where workers reach "
                              "the union about their personal data, shown in the 个人信息保护说明")
        if self.RETENTION_DAYS < 1:
            raise ConfigError(f"RETENTION_DAYS must be at least 1 day, got {self.RETENTION_DAYS}")
        try:
            Fernet(self.PII_KEY.encode())
        except ValueError as exc:
            raise ConfigError("PII_KEY is not a valid Fernet key (32 url-safe base64 bytes)") from exc

    def check_ways_to_join(self) -> None:
        """WeChat is optional (a district may run the H5 page only), but workers need at least one way in."""
        if bool(self.WECHAT_APPID) != bool(self.WECHAT_SECRET):
            missing = "WECHAT_SECRET" if self.WECHAT_APPID else "WECHAT_APPID"
            raise ConfigError(f"production needs WECHAT_APPID and WECHAT_SECRET together; {missing} is missing")
        if not self.WECHAT_APPID and not self.H5_JOIN_ENABLED:
            raise ConfigError("production with H5_JOIN_ENABLED=0 needs WECHAT_APPID and WECHAT_SECRET: "
                              "otherwise no worker could join")

    def check_key_lengths(self) -> None:
        # A short key falls to guessing: a worker token signed with a one-character SECRET_KEY took 100 tries.
        # A fallback verifies sessions and tokens as well as SECRET_KEY does, so it is held to the same rule.
        keys = [("SECRET_KEY", self.SECRET_KEY), ("PII_HMAC_KEY", self.PII_HMAC_KEY)]
        keys += [("SECRET_KEY_FALLBACKS (each of its keys)", key) for key in self.SECRET_KEY_FALLBACKS]
        keys += [("METRICS_TOKEN", self.METRICS_TOKEN)] if self.METRICS_TOKEN else []
        for name, value in keys:
            if len(value) < MIN_KEY_LENGTH:
                raise ConfigError(f"{name} must be at least {MIN_KEY_LENGTH} characters in production "
                                  "(python -c 'import secrets; print(secrets.token_urlsafe(32))')")


CONFIGS = {"development": Config, "test": TestConfig, "production": ProductionConfig}


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the settings for APP_ENV, validated, as a plain dict for app.config."""
    app_env = env_str("APP_ENV", "development")
    if overrides and "APP_ENV" in overrides:
        app_env = overrides["APP_ENV"]
    if app_env not in CONFIGS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(CONFIGS)}, got {app_env!r}")
    config = CONFIGS[app_env](instance_path)
    for key, value in (overrides or {}).items():
        setattr(config, key, value)
    config.finalize()
    settings = config.as_dict()
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(settings["SQLALCHEMY_DATABASE_URI"])
    return settings


def engine_options(database_uri: str) -> dict:
    # hide_parameters everywhere: an error message or log line never carries a row's values.
    if database_uri.startswith("sqlite"):
        # Several threads (the browser-test server, the dev server) share one file.
        return {"connect_args": {"timeout": 15, "check_same_thread": False}, "hide_parameters": True}
    # Per worker process. 4 gevent workers × (8 + 8) = 64 connections at most, under PostgreSQL's default
    # max_connections of 100 with room for the CLI and psql (10 + 20 each could ask for 120); a greenlet
    # beyond that waits for a connection instead of failing. No pool_pre_ping: app/pool_ping.py pings only
    # connections that sat idle, not one per request.
    return {"pool_size": 8, "max_overflow": 8, "hide_parameters": True}


def load_dev_secrets(path: Path) -> dict:
    """Development secrets are generated once into instance/ so restarts keep PII readable."""
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PII_KEY": Fernet.generate_key().decode(),
        "PII_HMAC_KEY": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(stored))
    path.chmod(0o600)
    return stored
