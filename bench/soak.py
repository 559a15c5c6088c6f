"""Worker memory over a long run of joins at a steady rate (open loop): does a worker grow for as long as it serves?

    .venv/bin/python bench/soak.py [--rate 50] [--minutes 60] [--workers 4] [--tracemalloc]

The app is wsgi:app under gunicorn.conf.py on a throwaway scaled stack (bench/stack.py), loaded minute after
minute by bench/join_open_loop.py's generator (every join a new person with its Idempotency-Key, sent on
schedule whether or not earlier ones were answered). After each minute it prints every worker's RSS and the
master's, the joins sent and the joins committed (a starved server answers late, after the generator's 10 s
timeout, yet commits), and at the end each worker's RSS after the minute in which the 100,000th join was
committed beside its RSS after the 10,000th (target: within 20 MB).

--tracemalloc serves one worker with tracemalloc on (bench/traced_app.py) and prints, each minute, what Python's
live objects hold beside what the C allocator has handed out and holds, and the ten source lines whose
allocations grew most since the first minute: a leak keeps growing at the same lines, a cache or an arena that
plateaus stops.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import urllib.request
from pathlib import Path

import psycopg
from join_load import dev_tokens, join_request_factory
from join_open_loop import TOKENS, RateResult, arrivals
from stack import Stack, children, collector_paused

EARLY_MARK, LATE_MARK = 10_000, 100_000
TARGET_GROWTH_MB = 20
TOP_LINES = 10


def rss_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def allocation_growth(url: str) -> dict:
    with urllib.request.urlopen(url + "/__tracemalloc/growth", timeout=60) as answer:
        return json.loads(answer.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50, help="joins per second")
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tracemalloc", action="store_true", help="one traced worker; prints where memory grows")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped soak still drops its stack
    workers = 1 if args.tracemalloc else args.workers
    stack = Stack()
    try:
        stage = stack.seed_demo()
        url = stack.gunicorn("bench.traced_app:app" if args.tracemalloc else "wsgi:app", workers)
        master = stack.masters[url]
        request_for = join_request_factory(stage.join_code, dev_tokens(url, TOKENS))
        join_url = url + "/mp/v1/membership-applications"
        print(f"soak: {args.rate:.0f} joins/s for {args.minutes} min, {workers} gevent workers, "
              f"PostgreSQL + Redis on 127.0.0.1{', tracemalloc on' if args.tracemalloc else ''}", flush=True)
        sequence = [0] * TOKENS
        marks = {}
        print("minute  joins sent  committed  load  201s   errors   master MB   workers' RSS MB (pid: MB)")
        print(status_line(0, 0, 0, RateResult(args.rate), master), flush=True)
        for minute in range(1, args.minutes + 1):
            result = RateResult(args.rate)
            with collector_paused():
                asyncio.run(arrivals(join_url, args.rate, 60, request_for, sequence, result))
            committed = committed_joins(stack.database_url)
            print(status_line(minute, sum(sequence), committed, result, master), flush=True)
            for mark in (EARLY_MARK, LATE_MARK):
                if committed >= mark and mark not in marks:
                    marks[mark] = {pid: rss_megabytes(pid) for pid in children(master)}
            if args.tracemalloc:
                growth = allocation_growth(url)
                sizes = growth["totals"]
                print(f"        Python's objects {sizes['python_mb']:.1f} MB, C allocator: in use "
                      f"{sizes['c_in_use_mb']:.1f} MB, held {sizes['c_held_mb']:.1f} MB")
                for line in growth["lines"][:TOP_LINES]:
                    print(f"        {line['size_diff_kb']:+9.0f} KB {line['count_diff']:+8} blocks  {line['where']}")
        return judge(marks)
    finally:
        stack.close()


def committed_joins(database_url: str) -> int:
    """Joins the server has committed: on a starved machine answers time out while the server still works."""
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        return connection.execute("SELECT count(*) FROM membership_applications").fetchone()[0]


def status_line(minute: int, sent: int, committed: int, result: RateResult, master: int) -> str:
    """The minute's line; the machine's load beside it, as a starved server queues joins (and their memory)."""
    workers = "  ".join(f"{pid}: {rss_megabytes(pid):.1f}" for pid in children(master))
    errors = dict(result.errors) or ""
    return (f"{minute:6}  {sent:10}  {committed:9}  {os.getloadavg()[0]:4.1f}  {len(result.latencies_ms):5}  "
            f"{errors!s:6}   {rss_megabytes(master):9.1f}   {workers}")


def judge(marks: dict) -> int:
    if LATE_MARK not in marks:
        print(f"fewer than {LATE_MARK:,} joins committed: run longer (--minutes) to judge the growth")
        return 0
    worst = 0.0
    for pid, late in marks[LATE_MARK].items():
        early = marks[EARLY_MARK].get(pid)
        if early is None:
            print(f"worker {pid} started after the {EARLY_MARK:,}th join: not judged")
            continue
        worst = max(worst, late - early)
        print(f"worker {pid}: RSS {early:.1f} MB after {EARLY_MARK:,} joins, {late:.1f} MB after {LATE_MARK:,} "
              f"(+{late - early:.1f} MB, ×{late / early:.2f})")
    print(f"largest growth {worst:.1f} MB (target ≤ {TARGET_GROWTH_MB} MB)")
    return 0 if worst <= TARGET_GROWTH_MB else 1


if __name__ == "__main__":
    sys.exit(main())
