"""Join latency at a fixed arrival rate (open loop): what a crowd at the booths feels.

    .venv/bin/python bench/join_open_loop.py [--rates 50 100 150] [--seconds 20] [--workers 4]

A closed loop (bench/join_load.py) sends the next join only when an answer came back, so at saturation the
queue never grows and its latency hides the wait. Here joins arrive on a schedule — the n-th at start + n/rate,
whether or not earlier ones were answered — as phones do. Each join's latency runs from its scheduled
arrival to its answer (so a late send counts against the server, not for it), on keep-alive connections
taken from a pool that grows when all are busy. The app is wsgi:app under gunicorn.conf.py on a throwaway
scaled stack (bench/stack.py), every join a new person with an Idempotency-Key, as the H5 page sends.
Prints per rate p50/p99/max, errors (non-201 answers, refused or timed-out connections) and the workers'
CPU per join, and beside it the latency of bare commits on the same database in the same seconds (the floor
a join stands on: this machine's disk sometimes stalls the WAL flush); target p99 < 50 ms at 100 joins/s with
no errors.
"""

import argparse
import asyncio
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psycopg
from join_load import dev_tokens, join_request_factory
from stack import Stack, collector_paused, percentile, worker_cpu_seconds

TOKENS = 32
WARMUP_RATE, WARMUP_SECONDS = 20, 2
ANSWER_TIMEOUT_SECONDS = 10
SETTLE_MAX_SECONDS = 60
TARGET_RATE, TARGET_P99_MS = 100, 50
COMMIT_PROBE_PER_SECOND = 20


@dataclass
class RateResult:
    rate: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    cpu_seconds: float = 0.0
    send_lag_ms: float = 0.0  # how late the generator itself sent its last join
    commit_ms: list[float] = field(default_factory=list)  # the floor: bare commits on the same database

    def commit_line(self) -> str:
        return (f"{'':5} bare commit  p50 {percentile(self.commit_ms, .5):7.1f} ms   "
                f"p99 {percentile(self.commit_ms, .99):7.1f} ms   max {max(self.commit_ms, default=0):7.1f} ms   "
                f"(one-row INSERTs beside the joins, {COMMIT_PROBE_PER_SECOND}/s)")

    def line(self) -> str:
        answered = len(self.latencies_ms) + sum(self.errors.values())
        return (f"{self.rate:5.0f} joins/s  p50 {percentile(self.latencies_ms, .5):7.1f} ms   "
                f"p99 {percentile(self.latencies_ms, .99):7.1f} ms   max {max(self.latencies_ms, default=0):7.1f} ms   "
                f"201s {len(self.latencies_ms)}   errors {dict(self.errors) or 0}   "
                f"CPU/join {self.cpu_seconds * 1000 / max(answered, 1):.2f} ms   "
                f"generator lag at the end {self.send_lag_ms:.0f} ms")


class Connections:
    """Idle keep-alive connections to one server; a new one is opened when none is idle."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def take(self):
        return self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)

    def give_back(self, connection) -> None:
        self.idle.append(connection)


async def post(connection, host: str, path: str, body: dict, headers: dict) -> int:
    reader, writer = connection
    payload = json.dumps(body).encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(payload)}",
             *(f"{name}: {value}" for name, value in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in header_lines if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def arrivals(url: str, rate: float, seconds: float, request_for, sequence: list[int], result: RateResult):
    """Send rate × seconds joins on schedule; each records its latency from its scheduled arrival."""
    parts = urlsplit(url)
    connections = Connections(parts.hostname, parts.port)
    loop = asyncio.get_running_loop()

    async def join(due: float, client: int, number: int) -> None:
        body, headers = request_for(client, number)
        connection = None
        try:
            connection = await connections.take()
            status = await asyncio.wait_for(post(connection, parts.netloc, parts.path, body, headers),
                                            ANSWER_TIMEOUT_SECONDS)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            result.errors[type(exc).__name__] += 1
            if connection is not None:
                connection[1].close()  # its answer may still come: never reuse it
            return
        connections.give_back(connection)
        if status == 201:
            result.latencies_ms.append((loop.time() - due) * 1000)
        else:
            result.errors[status] += 1

    start = loop.time()
    joins = []
    for n in range(int(rate * seconds)):
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        result.send_lag_ms = (loop.time() - due) * 1000
        client = n % TOKENS
        joins.append(asyncio.create_task(join(due, client, sequence[client])))
        sequence[client] += 1
    await asyncio.gather(*joins)
    for _reader, writer in connections.idle:
        writer.close()


class CommitProbe(threading.Thread):
    """Bare one-row INSERTs in autocommit on the bench's database while a rate runs: a join cannot answer
    before its commit is flushed, and this machine's disk sometimes takes 0.2–1 s to flush the WAL (an 8 KB
    fdatasync on an idle disk: p50 0.4 ms, p99 51 ms, max 231 ms on 2026-12-02). The floor, measured in the
    same seconds as the joins, tells the disk's stalls from the app's."""

    def __init__(self, database_url: str, into: list[float]):
        super().__init__(daemon=True)
        self.url = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.into = into
        self.stopped = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (at timestamptz)")
            while not self.stopped.wait(1 / COMMIT_PROBE_PER_SECOND):
                started = time.perf_counter()
                connection.execute("INSERT INTO bench_commit_probe VALUES (now())")
                self.into.append((time.perf_counter() - started) * 1000)


def settle(master_pid: int) -> None:
    """Wait until the workers are idle, so a rate does not start with the previous rate's backlog."""
    deadline = time.monotonic() + SETTLE_MAX_SECONDS
    used = worker_cpu_seconds(master_pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        used, before = worker_cpu_seconds(master_pid), used
        if used - before < 0.05:
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[50, 100, 150], help="joins per second")
    parser.add_argument("--seconds", type=float, default=20, help="per rate")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    stack = Stack()
    try:
        stage = stack.seed_demo()
        url = stack.gunicorn("wsgi:app", args.workers)
        request_for = join_request_factory(stage.join_code, dev_tokens(url, TOKENS))
        join_url = url + "/mp/v1/membership-applications"
        print(f"join_open_loop: {args.seconds:.0f} s per rate, {args.workers} gevent workers, "
              f"PostgreSQL + Redis on 127.0.0.1 (after a {WARMUP_SECONDS} s warm-up at {WARMUP_RATE}/s)")
        sequence = [0] * TOKENS
        asyncio.run(arrivals(join_url, WARMUP_RATE, WARMUP_SECONDS, request_for, sequence, RateResult(WARMUP_RATE)))
        results = []
        for rate in args.rates:
            settle(stack.masters[url])
            result = RateResult(rate)
            cpu_before = worker_cpu_seconds(stack.masters[url])
            probe = CommitProbe(stack.database_url, result.commit_ms)
            probe.start()
            with collector_paused():
                asyncio.run(arrivals(join_url, rate, args.seconds, request_for, sequence, result))
            probe.stopped.set()
            probe.join()
            result.cpu_seconds = worker_cpu_seconds(stack.masters[url]) - cpu_before
            print(result.line())
            print(result.commit_line(), flush=True)
            results.append(result)
        judged = next((r for r in results if r.rate == TARGET_RATE), None)
        if judged is not None:
            p99 = percentile(judged.latencies_ms, .99)
            print(f"at {TARGET_RATE} joins/s: p99 {p99:.1f} ms (target < {TARGET_P99_MS} ms), "
                  f"errors {sum(judged.errors.values())} (target 0)")
        return 0
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
