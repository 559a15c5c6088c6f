"""The live stream (SPEC §6): counter deltas fanned out in-process to every open SSE client.

Each worker process holds ONE Redis subscription (a pattern over every meeting's channel) and hands each
message to its local clients; embedded mode broadcasts straight from the intake request. A client's
pending changes are merged by scope — they carry absolute values, so merging loses nothing — and sent at
most every 250 ms, which is how a burst of joins becomes ≤ 4 events per second per client.
"""

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cached_property

import redis

from app import metrics

log = logging.getLogger(__name__)

MIN_INTERVAL = 0.25
HEARTBEAT_SECONDS = 15.0
# How often a stream asks whether its display link still stands (the issue: gone within 5 s of a revoke).
LINK_CHECK_SECONDS = 4.0
RECENT_PER_UPDATE = 12
MAX_PENDING = 20


class Delta:
    """One update as published: serialized once per process, however many clients it goes to."""

    def __init__(self, payload: dict):
        self.payload = payload

    @cached_property
    def text(self) -> str:
        return sse("update", self.payload)


def merge(payloads: list[dict]) -> dict:
    """Several updates as one: values are absolute, so the latest per scope wins and nothing is lost."""
    changes, minutes, joined, seq = {}, {}, [], 0
    for payload in payloads:
        seq = max(seq, payload.get("seq", 0))
        changes.update({(c["scope"], c["id"]): c for c in payload.get("changes", [])})
        minutes.update(payload.get("minutes", {}))
        joined += payload.get("joined", [])
    merged = {"seq": seq, "changes": list(changes.values())}
    if minutes:
        merged["minutes"] = minutes
    if joined:
        merged["joined"] = joined[-RECENT_PER_UPDATE:]
    return merged


class LiveClient:
    """One open stream: the updates not sent yet, and a flag to wake its generator."""

    def __init__(self, meeting_id: int):
        self.meeting_id = meeting_id
        self.ready = threading.Event()
        self.needs_snapshot = False
        self._lock = threading.Lock()
        self._pending: list[Delta] = []

    def offer(self, delta: Delta) -> None:
        with self._lock:
            self._pending.append(delta)
            if len(self._pending) > MAX_PENDING:
                # A slow reader: fold its backlog into one update instead of letting it grow.
                self._pending = [Delta(merge([d.payload for d in self._pending]))]
        self.ready.set()

    def take(self) -> str | None:
        """The SSE text of everything pending (None when nothing is)."""
        with self._lock:
            pending, self._pending = self._pending, []
            self.ready.clear()
        if len(pending) <= 1:
            return pending[0].text if pending else None
        return sse("update", merge([d.payload for d in pending]))


class Hub:
    """This process's open streams, by meeting."""

    def __init__(self):
        self._lock = threading.Lock()
        self._clients: dict[int, set[LiveClient]] = defaultdict(set)
        self._seq: dict[int, int] = defaultdict(int)

    def join(self, meeting_id: int) -> LiveClient:
        client = LiveClient(meeting_id)
        with self._lock:
            self._clients[meeting_id].add(client)
        metrics.SSE_CLIENTS.inc()
        return client

    def leave(self, client: LiveClient) -> None:
        with self._lock:
            self._clients[client.meeting_id].discard(client)
        metrics.SSE_CLIENTS.dec()

    def deliver(self, meeting_id: int, message: dict) -> None:
        with self._lock:
            clients = list(self._clients.get(meeting_id, ()))
        delta = Delta(message)
        for client in clients:
            client.offer(delta)

    def is_watched(self, meeting_id: int) -> bool:
        with self._lock:
            return bool(self._clients.get(meeting_id))

    def meeting_ids(self) -> list[int]:
        with self._lock:
            return [meeting_id for meeting_id, clients in self._clients.items() if clients]

    def next_seq(self, meeting_id: int) -> int:
        with self._lock:
            self._seq[meeting_id] += 1
            return self._seq[meeting_id]

    def resync_all(self) -> None:
        """After a lost subscription every client gets a fresh snapshot: it may have missed deltas."""
        with self._lock:
            clients = [c for group in self._clients.values() for c in group]
        for client in clients:
            client.needs_snapshot = True
            client.ready.set()


hub = Hub()


def broadcast(meeting_id: int, message: dict) -> None:
    """Embedded mode: hand a delta to this process's streams of the meeting."""
    hub.deliver(meeting_id, {**message, "seq": hub.next_seq(meeting_id)})


def channel_prefix(client: redis.Redis) -> str:
    # PUBLISH ignores the database number; the prefix keeps apps on other Redis dbs off our channels.
    return f"intake:{client.connection_pool.connection_kwargs.get('db', 0)}:live:"


class RedisListener:
    """The one subscription of this process: every meeting's channel, fanned out through the hub."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.prefix = channel_prefix(client)
        self.subscribed = threading.Event()
        threading.Thread(target=self._run, name="intake-live-listener", daemon=True).start()

    def _run(self) -> None:
        lost = False
        while True:
            try:
                self._listen(resync=lost)
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                log.warning("live subscription lost (%s); resubscribing", exc)
                self.subscribed.clear()
                lost = True
                time.sleep(1)

    def _listen(self, resync: bool) -> None:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.psubscribe(self.prefix + "*")
            self.subscribed.set()
            if resync:
                hub.resync_all()
            while True:
                message = pubsub.get_message(timeout=HEARTBEAT_SECONDS)
                if message and message["type"] == "pmessage":
                    meeting_id = int(message["channel"].decode().rsplit(":", 1)[1])
                    hub.deliver(meeting_id, json.loads(message["data"]))
        finally:
            pubsub.close()


_listeners: dict[str, RedisListener] = {}
_listeners_lock = threading.Lock()


def ensure_listener(client: redis.Redis | None) -> None:
    """Start this process's Redis subscription once (per Redis server and db); no-op when embedded."""
    if client is None:
        return
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    key = f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"
    with _listeners_lock:
        if key not in _listeners:
            # Without a socket timeout: a quiet channel is normal; get_message's own timeout bounds the wait.
            own_pool = redis.ConnectionPool(
                connection_class=pool.connection_class, **{**kwargs, "socket_timeout": None}
            )
            _listeners[key] = RedisListener(redis.Redis(connection_pool=own_pool))
    _listeners[key].subscribed.wait(timeout=2)


def sse(event: str | None, data: dict) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def stream(meeting_id: int, snapshot: Callable[[], dict], still_allowed: Callable[[], bool]) -> Iterator[str]:
    """The SSE body: a snapshot, then coalesced updates, a heartbeat comment when quiet.

    `still_allowed` is asked every LINK_CHECK_SECONDS, busy or quiet, so a revoked display link goes dark
    within 5 s even while joins keep coming.
    """
    client = hub.join(meeting_id)
    try:
        yield "retry: 3000\n\n" + sse("snapshot", snapshot())
        last_sent = last_checked = last_written = time.monotonic()
        while True:
            ready = client.ready.wait(timeout=LINK_CHECK_SECONDS)
            now = time.monotonic()
            if now - last_checked >= LINK_CHECK_SECONDS:
                last_checked = now
                if not still_allowed():
                    yield sse("revoked", {})
                    return
            if not ready:
                if now - last_written >= HEARTBEAT_SECONDS:
                    last_written = now
                    yield ": heartbeat\n\n"
                continue
            # Hold the update until 250 ms after the last one; taps arriving meanwhile merge into it.
            wait = last_sent + MIN_INTERVAL - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last_sent = last_written = time.monotonic()
            if client.needs_snapshot:
                client.needs_snapshot = False
                client.take()
                yield sse("snapshot", snapshot())
            elif (update := client.take()) is not None:
                yield update
    finally:
        hub.leave(client)
