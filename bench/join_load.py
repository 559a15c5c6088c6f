"""Join throughput: the real submit path against a bare baseline, same gunicorn settings, same load generator.

    .venv/bin/python bench/join_load.py [--clients 32] [--seconds 10] [--workers 4]

Builds a throwaway scaled stack (bench/stack.py: a new PostgreSQL database, its own redis-server), seeds
the Shunyi demo, then drives, one after the other, with `--clients` keep-alive HTTP clients:
  baseline  bench/baseline_app.py — POST /join: one ORM insert + one Redis HINCRBY;
  real      wsgi:app — POST /mp/v1/membership-applications with an Idempotency-Key (bearer token,
            validation, encryption, blind index, the Idempotency-Key column, counters script + PUBLISH, rate
            limiter in Redis).
Both are served through bench/counted_app.py, which adds only a per-request SQL count to each answer.
Prints throughput, p50/p99 and the ratio real/baseline (target ≥ 0.8 with p99 < 150 ms at 32 clients),
what one request costs — worker CPU (/proc/<pid>/stat of the gunicorn workers across each round; beside it
the CPU of the PostgreSQL backends of the stack's database and of its redis-server, which share the 2 cores), SQL
statements and transactions (counted in each worker by bench/counted_app.py) and Redis commands (INFO
commandstats deltas of the stack's own Redis, a script's inner calls included) — (target ≤ 2.5 ms of CPU
per join; and, as the CPU and the p99 of a bare insert move with the machine, both also as ratios to the
baseline measured in the same run), then checks that SQL rows, Redis counters and the generator's own count of
201s agree.
"""

import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from stack import Stack, collector_paused, percentile, redis_calls, worker_cpu_seconds

from app.extensions import db, redis_handle
from app.models import MembershipApplication
from app.services.live import intake_counters
from bench.baseline_app import COUNTER_KEY, BaselineJoin
from bench.counted_app import SQL_HEADER
from tests.factories import id_number

WARMUP_SECONDS = 2
TARGET_RATIO = 0.8
TARGET_P99_MS = 150
TARGET_CPU_MS = 2.5
# Issue 15 set 2.5 ms when a bare insert measured 1.5 ms on its machine: the absolute figure moves with the
# machine (the same baseline spends 2.3–4.0 ms on this one from run to run), the ratio measured in one run does not.
BARE_INSERT_MS_WHEN_SET = 1.5
TARGET_CPU_RATIO = TARGET_CPU_MS / BARE_INSERT_MS_WHEN_SET


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    created: int = 0
    failed: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    sent_by_client: dict[int, int] = field(default_factory=dict)  # so later rounds continue each sequence
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Costs over every answered request, warm-ups included (that is when the workers' CPU is read).
    answered: int = 0
    sql_statements: int = 0
    sql_transactions: int = 0
    cpu_seconds: float = 0.0
    server_cpu_seconds: Counter = field(default_factory=Counter)  # PostgreSQL backends, redis-server
    redis_commands: Counter = field(default_factory=Counter)

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1000 / self.answered

    def line(self, name: str) -> str:
        return (f"{name:<9} {self.throughput:8.1f} req/s   p50 {percentile(self.latencies_ms, .5):6.1f} ms   "
                f"p99 {percentile(self.latencies_ms, .99):6.1f} ms   201s {self.created}   errors {self.failed or 0}")

    def cost_line(self, name: str) -> str:
        per_request = {command: calls / self.answered for command, calls in self.redis_commands.most_common()}
        redis_detail = ", ".join(f"{command} {calls:.2f}" for command, calls in per_request.items() if calls >= .01)
        servers = ", ".join(f"{server} {seconds * 1000 / self.answered:.2f}"
                            for server, seconds in self.server_cpu_seconds.items())
        return (f"{name:<9} per request: CPU {self.cpu_ms_per_request:.2f} ms (servers' ms: {servers})   "
                f"SQL {self.sql_statements / self.answered:.2f} statements in "
                f"{self.sql_transactions / self.answered:.2f} transactions   "
                f"Redis {sum(per_request.values()):.2f} commands ({redis_detail})")


def run_load(url: str, clients: int, seconds: float, request_for, result: LoadResult) -> None:
    """`clients` threads, each on one keep-alive connection, posting as fast as answers come back; adds the
    measured `seconds` (after a warm-up) to `result`."""
    parts = urlsplit(url)
    start = time.monotonic()
    measure_from, stop_at = start + WARMUP_SECONDS, start + WARMUP_SECONDS + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sequence = result.sent_by_client.get(number, 0)
        while (sent := time.monotonic()) < stop_at:
            body, headers = request_for(number, sequence)
            sequence += 1
            connection.request("POST", parts.path, body=json.dumps(body), headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed_ms = (time.monotonic() - sent) * 1000
            statements, transactions = map(int, response.getheader(SQL_HEADER, "0 0").split())
            with result.lock:
                result.answered += 1
                result.sql_statements += statements
                result.sql_transactions += transactions
                if response.status == 201:
                    result.created += 1
                else:
                    result.failed[response.status] = result.failed.get(response.status, 0) + 1
                if sent >= measure_from:
                    result.latencies_ms.append(elapsed_ms)
        connection.close()
        result.sent_by_client[number] = sequence

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds += seconds


def measured_round(stack: Stack, url: str, path: str, clients: int, seconds: float, request_for,
                   result: LoadResult) -> None:
    """One round of load on one served app, adding its workers' CPU and the Redis commands it caused."""
    cpu_before, redis_before = worker_cpu_seconds(stack.masters[url]), redis_calls(stack.redis.url)
    servers_before = Counter(stack.server_cpu_seconds())
    with collector_paused():
        run_load(url + path, clients, seconds, request_for, result)
    result.cpu_seconds += worker_cpu_seconds(stack.masters[url]) - cpu_before
    result.server_cpu_seconds.update(Counter(stack.server_cpu_seconds()) - servers_before)
    result.redis_commands += redis_calls(stack.redis.url) - redis_before


def dev_tokens(base_url: str, clients: int) -> list[str]:
    parts = urlsplit(base_url)
    tokens = []
    for number in range(clients):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        body = json.dumps({"code": f"dev:bench-{number}"})
        connection.request("POST", "/mp/v1/auth/login", body=body, headers={"Content-Type": "application/json"})
        tokens.append(json.loads(connection.getresponse().read())["token"])
        connection.close()
    return tokens


def join_request_factory(entry_code: str, tokens: list[str]):
    def request_for(client: int, sequence: int):
        # A distinct person per request: the birth date and serial together never repeat within a run.
        birth = date(1970, 1, 1) + timedelta(days=client * 400 + sequence // 400)
        body = {
            "entry_code": entry_code, "name": "王小明", "id_number": id_number(birth, serial=sequence % 400),
            "mobile": "13912345678", "employer": "北京顺义物流有限公司", "industry": "交通运输、仓储和邮政业",
            "new_form_job": "快递员", "consent": True, "consent_version": "2026-11",
        }
        # Like the H5 page and the mini-program: every submission carries its own Idempotency-Key.
        return body, {"Content-Type": "application/json", "Authorization": f"Bearer {tokens[client]}",
                      "Idempotency-Key": f"bench-{client}-{sequence}"}

    return request_for


def baseline_request(client: int, sequence: int):
    return {"name": f"bench-{client}-{sequence}"}, {"Content-Type": "application/json"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers for both apps")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate baseline and real this many times, so a shared machine's drifting load "
                             "weighs on both alike")
    args = parser.parse_args()
    stack = Stack()
    try:
        stage = stack.seed_demo()
        app, meeting_id, join_code = stage.app, stage.meeting_id, stage.join_code
        with app.app_context():
            BaselineJoin.__table__.create(bind=db.engine)

        print(f"join_load: {args.clients} clients, {args.seconds:.0f} s each in {args.rounds} alternating rounds "
              f"(+{WARMUP_SECONDS} s warm-up per round), {args.workers} gevent workers each, "
              f"PostgreSQL + Redis on 127.0.0.1")
        baseline_url = stack.gunicorn("bench.counted_app:baseline()", args.workers)
        real_url = stack.gunicorn("bench.counted_app:real()", args.workers)
        real_request = join_request_factory(join_code, dev_tokens(real_url, args.clients))
        baseline, real = LoadResult(), LoadResult()
        seconds = args.seconds / args.rounds
        for _round in range(args.rounds):
            measured_round(stack, baseline_url, "/join", args.clients, seconds, baseline_request, baseline)
            measured_round(stack, real_url, "/mp/v1/membership-applications", args.clients, seconds, real_request,
                           real)
        stack.stop_servers()

        ratio = real.throughput / baseline.throughput
        p99 = percentile(real.latencies_ms, .99)
        print(baseline.line("baseline"))
        print(real.line("real"))
        print(baseline.cost_line("baseline"))
        print(real.cost_line("real"))
        print(f"ratio real/baseline {ratio:.2f} (target ≥ {TARGET_RATIO}); real p99 {p99:.1f} ms "
              f"(target < {TARGET_P99_MS} ms); real CPU per join {real.cpu_ms_per_request:.2f} ms "
              f"(target ≤ {TARGET_CPU_MS} ms)")
        print(f"same run, real/baseline: CPU per request {real.cpu_ms_per_request / baseline.cpu_ms_per_request:.2f}x "
              f"(the 2.5 ms target was {TARGET_CPU_RATIO:.2f}x the bare insert it was set against); "
              f"p99 {p99 / percentile(baseline.latencies_ms, .99):.2f}x")
        with app.app_context():
            return check_counts(meeting_id, baseline, real)
    finally:
        stack.close()


def check_counts(meeting_id: int, baseline: LoadResult, real: LoadResult) -> int:
    sql_joins = db.session.query(MembershipApplication).filter_by(meeting_id=meeting_id).count()
    redis_joins = intake_counters.meeting_counts(meeting_id).values_of("meeting", meeting_id)["joins"]
    sql_baseline = db.session.query(BaselineJoin).count()
    redis_baseline = int(redis_handle.client.hget(COUNTER_KEY, "joins") or 0)
    print(f"real:     SQL rows {sql_joins}  Redis joins {redis_joins}  generator 201s {real.created}")
    print(f"baseline: SQL rows {sql_baseline}  Redis counter {redis_baseline}  generator 201s {baseline.created}")
    agree = sql_joins == redis_joins == real.created and sql_baseline == redis_baseline == baseline.created
    print("counts agree" if agree else "COUNTS DISAGREE")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
