"""Live fan-out: N SSE clients on the big-screen stream while joins arrive at a steady rate.

    .venv/bin/python bench/live_fanout.py [--clients 2000] [--joins 40] [--rate 2] [--workers 2]

Builds a throwaway scaled stack (bench/stack.py), serves wsgi:app with the project's gunicorn.conf.py
(gevent), opens `--clients` streams to /live/meetings/<id>/stream?display=<token> from one asyncio loop,
waits until each has its snapshot, then submits `--joins` joins through POST /mp/v1/membership-applications
at `--rate` per second. For every client and join it records the time from sending the join (an upper
bound of its commit) to the first update showing it, and prints p50/p99/max, any join a client never
saw, and the server's memory (gunicorn master + workers) as PSS and RSS. Targets at 2000 clients:
p99 < 300 ms, PSS < 300 MB. PSS is the honest figure for a preloaded, forked server: it splits each page
the master and workers share among them, so the sum is what the machine spends; RSS counts a shared page
once per process. The baseline is the same latency measured with a single client in the same run.
"""

import argparse
import asyncio
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit

from join_load import dev_tokens, join_request_factory
from stack import Stack, memory_megabytes, percentile

CONNECT_BATCH = 100
SETTLE_SECONDS = 5
TARGET_P99_MS = 300
TARGET_PSS_MB = 300


class Audience:
    """What the clients saw: when each join first reached each client."""

    def __init__(self):
        self.sent_at: dict[int, float] = {}
        self.latencies_ms: list[float] = []
        self.snapshots = 0
        self.seen: dict[int, int] = {}

    def saw(self, client: int, joins: int, received: float) -> None:
        for join in range(self.seen.get(client, 0) + 1, joins + 1):
            if join in self.sent_at:
                self.latencies_ms.append((received - self.sent_at[join]) * 1000)
        self.seen[client] = max(self.seen.get(client, 0), joins)


class StreamClient(asyncio.Protocol):
    """One SSE connection. The receipt time is taken as the bytes arrive, before any parsing."""

    def __init__(self, number: int, request: bytes, audience: Audience):
        self.number, self.request, self.audience = number, request, audience
        self.buffer = b""
        self.in_body = False

    def connection_made(self, transport) -> None:
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        received = time.monotonic()
        self.buffer += data
        if not self.in_body:
            if b"\r\n\r\n" not in self.buffer:
                return
            self.buffer = self.buffer.split(b"\r\n\r\n", 1)[1]
            self.in_body = True
        *blocks, self.buffer = self.buffer.split(b"\n\n")
        for block in blocks:
            dispatch(block.decode(), self.number, self.audience, received)


def dispatch(block: str, client: int, audience: Audience, received: float) -> None:
    fields = dict(line.split(": ", 1) for line in block.splitlines() if line.startswith(("event: ", "data: ")))
    if fields.get("event") == "snapshot":
        audience.snapshots += 1
        audience.saw(client, json.loads(fields["data"])["meeting"]["values"]["joins"], received)
    elif fields.get("event") == "update":
        for change in json.loads(fields["data"])["changes"]:
            if change["scope"] == "meeting":
                audience.saw(client, change["values"]["joins"], received)


def submit_joins(base_url: str, join_code: str, count: int, rate: float, audience: Audience, first: int) -> None:
    """Joins at a steady rate from one connection; the n-th 201 makes the meeting's joins n."""
    parts = urlsplit(base_url)
    request_for = join_request_factory(join_code, dev_tokens(base_url, 1))
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    start = time.monotonic()
    for n in range(count):
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        body, headers = request_for(0, first + n)
        audience.sent_at[first + n + 1] = time.monotonic()
        connection.request("POST", "/mp/v1/membership-applications", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            raise RuntimeError(f"join {n} answered {response.status}")
    connection.close()


async def measure(base_url: str, path: str, clients: int, join_code: str, joins: int, rate: float, first: int):
    parts = urlsplit(base_url)
    audience = Audience()
    loop = asyncio.get_running_loop()
    # HTTP/1.0: the body is the raw event stream, no chunked framing to undo.
    request = f"GET {path} HTTP/1.0\r\nHost: {parts.hostname}\r\nAccept: text/event-stream\r\n\r\n".encode()
    transports = []
    for start in range(0, clients, CONNECT_BATCH):
        for client in range(start, min(clients, start + CONNECT_BATCH)):
            transport, _ = await loop.create_connection(
                lambda n=client: StreamClient(n, request, audience), parts.hostname, parts.port
            )
            transports.append(transport)
        while audience.snapshots < len(transports):
            await asyncio.sleep(0.05)
    joiner = threading.Thread(target=submit_joins, args=(base_url, join_code, joins, rate, audience, first))
    joiner.start()
    while joiner.is_alive():
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline and min(audience.seen.values()) < first + joins:
        await asyncio.sleep(0.05)
    missed = sum(1 for seen in audience.seen.values() if seen < first + joins)
    for transport in transports:
        transport.close()
    return audience, missed


def report(name: str, audience: Audience, missed: int) -> float:
    latencies = audience.latencies_ms
    p99 = percentile(latencies, .99)
    print(f"{name:<11} deliveries {len(latencies):6d}   p50 {percentile(latencies, .5):6.1f} ms   "
          f"p99 {p99:6.1f} ms   max {max(latencies):6.1f} ms   clients that missed a join {missed}")
    return p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--joins", type=int, default=40)
    parser.add_argument("--rate", type=float, default=2.0, help="joins per second")
    # The stream is I/O-bound: one gevent worker per core holds thousands of clients.
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    stack = Stack()
    try:
        stage = stack.seed_demo()
        meeting_id, token, join_code = stage.meeting_id, stage.display_token, stage.join_code
        base_url = stack.gunicorn("wsgi:app", args.workers)
        path = f"/live/meetings/{meeting_id}/stream?display={token}"
        print(f"live_fanout: {args.workers} gevent workers; {args.joins} joins at {args.rate}/s")

        baseline, _ = asyncio.run(measure(base_url, path, 1, join_code, 10, args.rate, first=0))
        report("1 client", baseline, 0)
        idle = memory_megabytes(stack.servers[0].pid)
        started = time.monotonic()
        audience, missed = asyncio.run(measure(base_url, path, args.clients, join_code, args.joins, args.rate, 10))
        memory = memory_megabytes(stack.servers[0].pid)
        p99 = report(f"{args.clients} clients", audience, missed)
        print(f"connect + snapshots + joins took {time.monotonic() - started:.1f} s")
        print(f"server memory ({memory['processes']} processes) with {args.clients} clients: "
              f"PSS {memory['pss']:.0f} MB (target < {TARGET_PSS_MB} MB), RSS {memory['rss']:.0f} MB; "
              f"after the 1-client run: PSS {idle['pss']:.0f} MB, RSS {idle['rss']:.0f} MB")
        print(f"p99 {p99:.0f} ms (target < {TARGET_P99_MS} ms); "
              f"ratio p99 {args.clients} clients / 1 client {p99 / percentile(baseline.latencies_ms, .99):.1f}x")
        return 0 if missed == 0 else 1
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
