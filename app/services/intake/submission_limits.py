"""Rate limits of a membership submission (a join or a correction), checked and counted in one Redis call.

The windows and their stores live here; miniprogram_api/limits.py names the request's token and address
and applies them around the submitting views.

Per token and per address, a submission is a hit of its own window; and before each one, the token's and the
address's count of answers that revealed an ID number's status (409) is checked, so once either has had its
share it gets the generic 429 for everything and learns nothing more (issue 10 item 4). A 409 is counted once
decided. Flask-Limiter cost a join four Redis round trips for this (two scripts, two GETs: ≈ 17 % of its
CPU by py-spy, 2026-12-02); one script checks every window and counts the hits only when all allow it.

Windows are fixed and start at a key's first hit, as Flask-Limiter's. Shared through Redis, so exact across
processes and hosts. While Redis is away each process counts in memory (a token may then get a limit per
process), and tries Redis again after FALLBACK_SECONDS.
"""

import functools
import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from datetime import date

import redis
from flask import Flask, current_app
from limits import parse_many

from app.errors import AppError
from app.metrics import BACKEND_ERRORS
from app.services.intake import identity

log = logging.getLogger(__name__)

FALLBACK_SECONDS = 5
STATUS_SCOPE = "membership-status"
# The answers that tell whether an ID number has applied (another 409, e.g. not_returned, tells nothing).
STATUS_REVEALING = {"already_applied", "already_member"}

# ARGV per key: its amount, then the seconds of a window it opens (0: only checked, not a hit).
CHECK_AND_HIT = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2 * i - 1]) then
    return math.max(redis.call('TTL', key), 1)
  end
end
for i, key in ipairs(KEYS) do
  if ARGV[2 * i] ~= '0' and redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return 0
"""


@dataclass(frozen=True)
class Window:
    key: str
    amount: int
    seconds: int
    is_hit: bool  # this submission counts in it (submissions), or the window is only checked (statuses)


@functools.lru_cache(maxsize=32)
def parsed(limit: str) -> tuple:
    return tuple(parse_many(limit))


def windows_of(setting: str, scope: str, who: str, is_hit: bool) -> list[Window]:
    return [
        Window(f"limits:{scope}:{who}:{item.amount}/{item.get_expiry()}", item.amount, item.get_expiry(), is_hit)
        for item in parsed(current_app.config[setting])
    ]


def id_number_key(id_number: str, day: date | None = None) -> str:
    """A limit's key for an ID number on a Beijing day (today): a keyed hash, never the stored blind index.

    Limit keys reach Redis and may reach logs; the stored blind index would let whoever reads them find the
    person's application (issue 22 item 7). A day's key is derived from SECRET_KEY, so yesterday's keys and
    the database together name nobody; a count restarts at midnight, a second chance once a day at most.
    """
    day = (day or identity.today_in_beijing()).isoformat()
    day_key = hmac.digest(current_app.config["SECRET_KEY"].encode(), f"id-number-limit:{day}".encode(), "sha256")
    return hmac.new(day_key, id_number.encode(), hashlib.sha256).hexdigest()[:32]


def reveals_status(refusal: AppError) -> bool:
    return refusal.code in STATUS_REVEALING


class MemoryWindows:
    """This process's windows: embedded mode's only store, and scaled mode's while Redis is away."""

    def __init__(self):
        self.counts: dict[str, tuple[int, float]] = {}  # key → (hits, when the window ends)

    def check_and_hit(self, windows: list[Window]) -> int:
        now = time.monotonic()
        for window in windows:
            hits, ends = self.counts.get(window.key, (0, now))
            if ends > now and hits >= window.amount:
                return max(1, math.ceil(ends - now))
        self.hit([window for window in windows if window.is_hit], now)
        return 0

    def hit(self, windows: list[Window], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if len(self.counts) > 10_000:
            self.counts = {key: value for key, value in self.counts.items() if value[1] > now}
        for window in windows:
            hits, ends = self.counts.get(window.key, (0, now))
            if ends <= now:
                hits, ends = 0, now + window.seconds
            self.counts[window.key] = (hits + 1, ends)


class SharedWindows:
    """The windows in Redis, shared by every process; this process's memory while Redis does not answer."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.script = client.register_script(CHECK_AND_HIT)
        self.memory = MemoryWindows()
        self.redis_back_at = 0.0

    def check_and_hit(self, windows: list[Window]) -> int:
        return self._shared_or_memory(
            lambda: self.script(keys=[w.key for w in windows], args=arguments(windows)),
            lambda: self.memory.check_and_hit(windows),
        )

    def hit(self, windows: list[Window]) -> None:
        def shared():
            pipe = self.client.pipeline(transaction=False)
            for window in windows:
                pipe.incr(window.key).expire(window.key, window.seconds, nx=True)
            pipe.execute()

        self._shared_or_memory(shared, lambda: self.memory.hit(windows))

    def _shared_or_memory(self, shared, in_memory):
        if time.monotonic() >= self.redis_back_at:
            try:
                return shared()
            except redis.RedisError:
                BACKEND_ERRORS.labels("redis").inc()
                log.warning("rate limits: Redis unreachable, counting in this process for %s s", FALLBACK_SECONDS)
                self.redis_back_at = time.monotonic() + FALLBACK_SECONDS
        return in_memory()


def arguments(windows: list[Window]) -> list[int]:
    return [value for w in windows for value in (w.amount, w.seconds if w.is_hit else 0)]


def store() -> MemoryWindows | SharedWindows:
    return current_app.extensions["submission_limits"]


def init_app(app: Flask) -> None:
    """One store per app (per process): Redis when configured, else memory."""
    client = app.extensions.get("redis_client")
    app.extensions["submission_limits"] = SharedWindows(client) if client is not None else MemoryWindows()
