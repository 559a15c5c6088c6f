"""Rate limits of a membership submission (a join or a correction), checked and counted in one Redis call.

The windows and their stores live here; miniprogram_api/limits.py names the request's token and address
and applies them around the submitting views.

Per token and per address, a submission is a hit of its own window; and before each one, the token's and the
address's count of answers that told an ID number's status is checked, so once either has had its share it gets
the generic 429 for everything and learns nothing more (issue 10 item 4). Every such answer costs the same,
whatever it said (issue 22 item 5): a 409 already_applied / already_member and a 201 (the number had no live
application) are each counted once decided, in the token's window and in the address's — except the first
answer of a WeChat account in the token's window, which the address does not pay for: a venue's crowd behind
one NAT address is hundreds of accounts answered once each, an attacker at that address is one account asking
many times or H5 visitors (free to make, so always counted). Flask-Limiter cost a join four Redis round trips
for this (two scripts, two GETs: ≈ 17 % of its CPU by py-spy, 2026-12-02); one script checks every window and
counts the hits only when all allow it.

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

# ARGV[1]: '1' to refuse when a window is full (then count nothing), '0' to count only. Then per key: its amount,
# the seconds of a window it opens (0: only checked, not a hit), and the index in KEYS of a window that must
# have a hit before this one applies at all (0: it always applies). Which windows apply is read before any count.
CHECK_AND_HIT = """
local applies = {}
for i = 1, #KEYS do
  local after = tonumber(ARGV[3 * i + 1])
  applies[i] = after == 0 or tonumber(redis.call('GET', KEYS[after]) or '0') > 0
end
if ARGV[1] == '1' then
  for i, key in ipairs(KEYS) do
    if applies[i] and tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[3 * i - 1]) then
      return math.max(redis.call('TTL', key), 1)
    end
  end
end
for i, key in ipairs(KEYS) do
  if applies[i] and ARGV[3 * i] ~= '0' and redis.call('INCR', key) == 1 then
    redis.call('EXPIRE', key, ARGV[3 * i])
  end
end
return 0
"""


@dataclass(frozen=True)
class Window:
    key: str
    amount: int
    seconds: int
    is_hit: bool  # this submission counts in it (submissions), or the window is only checked (statuses)
    only_after: str | None = None  # the key of a window that must have a hit before this one applies at all


@functools.lru_cache(maxsize=32)
def parsed(limit: str) -> tuple:
    return tuple(parse_many(limit))


def windows_of(setting: str, scope: str, who: str, is_hit: bool, only_after: str | None = None) -> list[Window]:
    return [
        Window(f"limits:{scope}:{who}:{item.amount}/{item.get_expiry()}", item.amount, item.get_expiry(), is_hit,
               only_after)
        for item in parsed(current_app.config[setting])
    ]


def status_windows(token: str, address: str, by_account: bool) -> list[Window]:
    """The token's and the address's windows of answers telling an ID number's status (checked, not hit).

    For a WeChat account the address's windows apply only once the token's first window has had an answer:
    its first answer is free there, so a crowd of real accounts behind one address is never refused for it.
    """
    own = windows_of("RATELIMIT_MP_STATUS_PER_TOKEN", STATUS_SCOPE, token, False)
    first_answer_free = own[0].key if by_account and own else None
    return own + windows_of("RATELIMIT_MP_STATUS_PER_IP", STATUS_SCOPE, "ip:" + address, False, first_answer_free)


def id_number_key(id_number: str, day: date | None = None) -> str:
    """A limit's key for an ID number on a Beijing day (today): a keyed hash, never the stored blind index.

    Limit keys reach Redis and may reach logs; the stored blind index would let whoever reads them find the
    person's application (issue 22 item 7). A day's key is derived from SECRET_KEY, so yesterday's keys and
    the database together name nobody; a count restarts at midnight, a second chance once a day at most.
    """
    day = (day or identity.today_in_beijing()).isoformat()
    day_key = hmac.digest(current_app.config["SECRET_KEY"].encode(), f"id-number-limit:{day}".encode(), "sha256")
    return hmac.new(day_key, id_number.encode(), hashlib.sha256).hexdigest()[:32]


def reveals_status(answer: AppError | int) -> bool:
    """Whether an answer to a submission (a refusal, or a status code) told the ID number's status."""
    if isinstance(answer, AppError):
        return answer.code in STATUS_REVEALING
    return answer == 201  # a new application: the number had no live one


class MemoryWindows:
    """This process's windows: embedded mode's only store, and scaled mode's while Redis is away."""

    def __init__(self):
        self.counts: dict[str, tuple[int, float]] = {}  # key → (hits, when the window ends)

    def check_and_hit(self, windows: list[Window]) -> int:
        now = time.monotonic()
        applying = self.applying(windows, now)
        for window in applying:
            hits, ends = self.current(window.key, now)
            if hits >= window.amount:
                return max(1, math.ceil(ends - now))
        self.count([window for window in applying if window.is_hit], now)
        return 0

    def hit(self, windows: list[Window]) -> None:
        now = time.monotonic()
        self.count(self.applying(windows, now), now)

    def applying(self, windows: list[Window], now: float) -> list[Window]:
        return [w for w in windows if w.only_after is None or self.current(w.only_after, now)[0] > 0]

    def current(self, key: str, now: float) -> tuple[int, float]:
        hits, ends = self.counts.get(key, (0, now))
        return (hits, ends) if ends > now else (0, now)

    def count(self, windows: list[Window], now: float) -> None:
        if len(self.counts) > 10_000:
            self.counts = {key: value for key, value in self.counts.items() if value[1] > now}
        for window in windows:
            hits, ends = self.current(window.key, now)
            self.counts[window.key] = (hits + 1, ends if hits else now + window.seconds)


class SharedWindows:
    """The windows in Redis, shared by every process; this process's memory while Redis does not answer."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.script = client.register_script(CHECK_AND_HIT)
        self.memory = MemoryWindows()
        self.redis_back_at = 0.0

    def check_and_hit(self, windows: list[Window]) -> int:
        return self._shared_or_memory(
            lambda: self.script(keys=[w.key for w in windows], args=arguments(windows, refuse=True)),
            lambda: self.memory.check_and_hit(windows),
        )

    def hit(self, windows: list[Window]) -> None:
        self._shared_or_memory(
            lambda: self.script(keys=[w.key for w in windows], args=arguments(windows, refuse=False)),
            lambda: self.memory.hit(windows),
        )

    def _shared_or_memory(self, shared, in_memory):
        if time.monotonic() >= self.redis_back_at:
            try:
                return shared()
            except redis.RedisError:
                BACKEND_ERRORS.labels("redis").inc()
                log.warning("rate limits: Redis unreachable, counting in this process for %s s", FALLBACK_SECONDS)
                self.redis_back_at = time.monotonic() + FALLBACK_SECONDS
        return in_memory()


def arguments(windows: list[Window], refuse: bool) -> list[int]:
    """The script's ARGV: when only counting (refuse=False), every window given is a hit."""
    keys = [w.key for w in windows]
    per_key = [
        (w.amount, w.seconds if w.is_hit or not refuse else 0, keys.index(w.only_after) + 1 if w.only_after else 0)
        for w in windows
    ]
    return [int(refuse), *(value for values in per_key for value in values)]


def store() -> MemoryWindows | SharedWindows:
    return current_app.extensions["submission_limits"]


def init_app(app: Flask) -> None:
    """One store per app (per process): Redis when configured, else memory."""
    client = app.extensions.get("redis_client")
    app.extensions["submission_limits"] = SharedWindows(client) if client is not None else MemoryWindows()
