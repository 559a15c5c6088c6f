"""Per-process caches of what the join path reads on every request, forgotten everywhere at once on change.

A change (a code revoked or regenerated, a meeting closed or archived, a worker's tokens revoked) forgets
its entry in this process and publishes the forgetting on a Redis channel; every process of every host is
subscribed and forgets it too. A process keeps entries only while its subscription is up: when it drops
(Redis down, a restart) the caches are emptied and bypassed — the rows are read from the database as
before — until it is back. A short TTL is the safety net for a message lost in flight. Embedded mode (no
Redis) has nobody to tell, so it does not cache at all.

The caches belong to the app (app.extensions), so two apps in one process (tests) never share entries.
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Hashable

import redis
from flask import current_app

from app.extensions import redis_handle

log = logging.getLogger(__name__)

CHANNEL = "process-cache:forget"
TTL_SECONDS = 30
RESUBSCRIBE_SECONDS = 1


class ProcessCache:
    """One named cache: key → (expiry, value)."""

    def __init__(self, caches: "ProcessCaches", ttl: float):
        self.caches, self.ttl = caches, ttl
        self.entries: dict[Hashable, tuple[float, object]] = {}
        self.generation = 0  # bumped by every forget: a load that raced one is not stored

    def get(self, key: Hashable, load: Callable[[], object]):
        """The cached value of `key`, else load() — kept only while forgetting can reach this process."""
        entry = self.entries.get(key)
        if entry is not None and entry[0] > time.monotonic() and self.caches.subscribed.is_set():
            return entry[1]
        generation = self.generation
        value = load()
        if self.caches.listening() and generation == self.generation:
            self.entries[key] = (time.monotonic() + self.ttl, value)
        return value

    def forget(self, key: Hashable | None) -> None:
        self.generation += 1
        if key is None:
            self.entries.clear()
        else:
            self.entries.pop(key, None)


class ProcessCaches:
    """The app's caches and the one subscription that empties them."""

    def __init__(self, client: redis.Redis | None):
        self.client = client
        self.by_name: dict[str, ProcessCache] = {}
        self.subscribed = threading.Event()
        self.stopped = threading.Event()
        self._listener: threading.Thread | None = None
        self._lock = threading.Lock()

    def named(self, name: str, ttl: float = TTL_SECONDS) -> ProcessCache:
        if name not in self.by_name:
            self.by_name[name] = ProcessCache(self, ttl)
        return self.by_name[name]

    def listening(self) -> bool:
        """Whether this process hears every forget (starting its listener on first use)."""
        if self.client is None:
            return False
        with self._lock:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name="process-cache", daemon=True)
                self._listener.start()
        return self.subscribed.is_set()

    def forget_everywhere(self, name: str, key: Hashable | None = None) -> None:
        """Forget an entry (or, with no key, the whole cache) here and in every other process."""
        self.named(name).forget(key)
        if self.client is None:
            return
        try:
            self.client.publish(CHANNEL, json.dumps({"cache": name, "key": key}))
        except redis.RedisError:
            # Nobody hears it, but nobody caches either: a subscription that broke empties its caches.
            log.warning("could not publish the forgetting of %s %r; other processes rely on their TTL", name, key)

    def stop(self) -> None:
        """Stop listening (an app torn down in tests); the caches are bypassed from now on."""
        self.stopped.set()
        if self._listener is not None:
            self._listener.join()

    def _listen(self) -> None:
        while not self.stopped.is_set():
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                pubsub.get_message(timeout=RESUBSCRIBE_SECONDS)  # the subscribe confirmation
                self._forget_all()  # whatever changed while this process was not listening
                self.subscribed.set()
                while not self.stopped.is_set():
                    # Polled rather than listen(): a quiet channel must not trip the client's socket timeout.
                    message = pubsub.get_message(timeout=RESUBSCRIBE_SECONDS)
                    if message is not None:
                        self._forget(json.loads(message["data"]))
            except (redis.RedisError, OSError):
                log.warning("process caches lost their subscription; reading the database until it is back")
                time.sleep(RESUBSCRIBE_SECONDS)
            finally:
                self.subscribed.clear()
                self._forget_all()
                pubsub.close()

    def _forget(self, message: dict) -> None:
        cache = self.by_name.get(message.get("cache"))
        if cache is not None:
            cache.forget(message.get("key"))

    def _forget_all(self) -> None:
        for cache in list(self.by_name.values()):
            cache.forget(None)


def caches() -> ProcessCaches:
    """The current app's process caches."""
    app = current_app
    if "process_caches" not in app.extensions:
        app.extensions["process_caches"] = ProcessCaches(redis_handle.client)
    return app.extensions["process_caches"]
