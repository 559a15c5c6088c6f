"""Time approving a town's queue: one batch of N applications against N one-by-one approvals (the baseline).

    .venv/bin/python bench/review_batch.py [--applications 200] [--database-url postgresql://127.0.0.1/...]
                                           [--redis-url redis://127.0.0.1:6379/14]

Builds a throwaway SQLite database (or, with --database-url, a fresh database next to that 127.0.0.1
PostgreSQL server, dropped afterwards), seeds the Shunyi demo, files 2 × N applications at the 仁和镇 venue
straight through the models, then approves N of them one at a time (N transactions, N sequence bumps,
N audit commits — the baseline) and the other N in one batch (one transaction, one sequence bump).
Both runs produce the same member numbers and audit rows; the target is batch ≥ 5x faster (--redis-url puts
the counters in Redis, as in production).
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db, redis_handle  # noqa: E402
from app.models import MembershipApplication, User  # noqa: E402
from app.services.afterday import review
from app.services.setup import demo  # noqa: E402
from tests.factories import make_application  # noqa: E402

TARGET_RATIO = 5


def bench_settings(database_url: str, redis_url: str | None) -> dict:
    return {
        "APP_ENV": "test",
        "SECRET_KEY": "bench",
        "PII_KEY": Fernet.generate_key().decode(),
        "PII_HMAC_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "WECHAT_APPID": None,
    }


def fresh_postgres(admin_url: str) -> str:
    name = f"bench_review_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path="/" + name)).replace("postgresql://", "postgresql+psycopg://")


def drop_postgres(admin_url: str, url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def run(database_url: str, redis_url: str | None, applications: int) -> None:
    app = create_app(bench_settings(database_url, redis_url))
    with app.app_context():
        upgrade()
        summary = demo.seed_demo()
        venue = next(v for v in summary.meeting.venues if v.host_org.name == "仁和镇")
        ids = [make_application(venue).id for _ in range(2 * applications)]
        admin = db.session.scalar(select(User).where(User.username == "renhe"))
        one_by_one, batch = ids[:applications], ids[applications:]

        started = time.perf_counter()
        for application_id in one_by_one:
            review.approve(admin, application_id)
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        result = review.approve_batch(admin, batch)
        batched = time.perf_counter() - started

        numbers = set(db.session.scalars(select(MembershipApplication.member_no)))
        assert len(result.approved) == applications and len(numbers) == 2 * applications
        db.session.remove()
        db.engine.dispose()
        if redis_handle.enabled:
            redis_handle.client.flushdb()
    ratio = baseline / batched
    print(f"database:            {urlsplit(database_url).scheme}, counters in {'Redis' if redis_url else 'SQL'}")
    print(f"one by one (base):   {applications} approvals in {baseline * 1000:.0f} ms "
          f"({baseline / applications * 1000:.1f} ms each)")
    print(f"one batch:           {applications} approvals in {batched * 1000:.0f} ms")
    verdict = "OK" if ratio >= TARGET_RATIO else "BELOW"
    print(f"ratio:               {ratio:.1f}x (target ≥ {TARGET_RATIO}x) {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200, choices=range(1, 5001), metavar="1..5000")
    parser.add_argument("--database-url", help="admin URL of a 127.0.0.1 PostgreSQL server (default: SQLite)")
    parser.add_argument("--redis-url", help="a 127.0.0.1 Redis database for scaled-mode counters (it is flushed)")
    args = parser.parse_args()
    for url in filter(None, (args.database_url, args.redis_url)):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("benchmarks only run against 127.0.0.1")
    if args.database_url:
        url = fresh_postgres(args.database_url)
        try:
            run(url, args.redis_url, args.applications)
        finally:
            drop_postgres(args.database_url, url)
        return
    with tempfile.TemporaryDirectory() as directory:
        run(f"sqlite:///{directory}/bench.db", args.redis_url, args.applications)


if __name__ == "__main__":
    main()
