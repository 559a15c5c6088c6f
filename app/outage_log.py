"""A backend outage as three kinds of log line instead of one traceback per request.

While Redis or PostgreSQL is away every request that needs it fails the same way: logged each time, a
minute's outage was thousands of identical tracebacks burying everything else. Per process, an outage logs
its first failure with the traceback, then at most one line a minute with the number of failures since the
last line, and one line when the backend answers again.
"""

import logging
import threading
import time
from collections.abc import Callable

SUMMARY_SECONDS = 60

log = logging.getLogger("union_intake.outage")


class Outage:
    """One backend's failures in this process: what has been logged of the current outage, if any."""

    def __init__(self, backend: str, clock: Callable[[], float] = time.monotonic):
        self.backend = backend
        self.clock = clock
        self.lock = threading.Lock()
        self.started_at: float | None = None  # None: the backend answers
        self.last_line_at = 0.0
        self.unreported = 0  # failures since the last line

    def failed(self, message: str, *args, exc_info: BaseException | bool = True) -> None:
        """Log `message` with its traceback if this failure starts an outage, else count it (a line a minute)."""
        with self.lock:
            now = self.clock()
            if self.started_at is None:
                self.started_at = self.last_line_at = now
                log.error(message, *args, exc_info=exc_info)
                return
            self.unreported += 1
            if now - self.last_line_at < SUMMARY_SECONDS:
                return
            count, since, self.unreported, self.last_line_at = self.unreported, now - self.last_line_at, 0, now
        log.error("%s still unavailable: %d more failures in the last %.0f s", self.backend, count, since)

    def answered(self) -> None:
        """The backend just served a request: end the outage with one line, if there was one."""
        if self.started_at is None:  # the common case, without taking the lock
            return
        with self.lock:
            if self.started_at is None:
                return
            lasted, count, self.started_at, self.unreported = self.clock() - self.started_at, self.unreported, None, 0
        log.warning("%s available again after %.0f s (%d failures since the last line)", self.backend, lasted, count)


database = Outage("database")
redis = Outage("redis")
