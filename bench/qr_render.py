"""Time the QR-code ZIP of a 100-booth meeting: cold (every PNG rendered) against warm (every PNG cached).

    .venv/bin/python bench/qr_render.py [--venues 10] [--booths-per-venue 10] [--warm-runs 20]

Builds a throwaway SQLite database, seeds the Shunyi orgs and accounts plus one meeting with
venues × booths, opens it (issuing the entry codes), then fetches /meetings/<id>/codes.zip as a logged-in
district admin through the Flask test client — in process, no network. The cold pass empties the
in-process image cache first, so it is the baseline measured in the same run; the target is warm ≥ 20x.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cryptography.fernet import Fernet  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Booth, BoothKind, Meeting, MeetingKind, MeetingStatus, Venue, VenueRole  # noqa: E402
from app.services.setup import (
    demo,  # noqa: E402
    entry_codes,
)
from app.services.setup.qr_codes import image_cache  # noqa: E402

COLD_RUNS = 3
TARGET_RATIO = 20


def bench_settings(database_path: str) -> dict:
    return {
        "APP_ENV": "test",
        "SECRET_KEY": "bench",
        "PII_KEY": Fernet.generate_key().decode(),
        "PII_HMAC_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "WECHAT_APPID": None,
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "https://ghzx.example.cn",
    }


def seed_big_meeting(venues: int, booths_per_venue: int) -> Meeting:
    demo.seed_demo()
    orgs = list(demo.seed_orgs().values())[1:]
    meeting = Meeting(title="压测沟通会", held_on=date.today(), kind=MeetingKind.DISTRICT_DAY,
                      status=MeetingStatus.OPEN, organiser_org=orgs[0])
    kinds = list(BoothKind)
    for v in range(venues):
        venue = Venue(meeting=meeting, role=VenueRole.MAIN if v == 0 else VenueRole.SUB,
                      host_org=orgs[v % len(orgs)], place_name=f"第{v + 1}会场")
        venue.booths = [Booth(kind=kinds[b % len(kinds)], name=f"{b + 1}号岗") for b in range(booths_per_venue)]
        db.session.add(venue)
    db.session.flush()
    entry_codes.ensure_codes(meeting)
    db.session.commit()
    return meeting


def timed_zip(client, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, response.data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=10)
    parser.add_argument("--booths-per-venue", type=int, default=10)
    parser.add_argument("--warm-runs", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        app = create_app(bench_settings(os.path.join(workdir, "bench.db")))
        with app.app_context():
            upgrade()
            meeting = seed_big_meeting(args.venues, args.booths_per_venue)
            url = f"/meetings/{meeting.id}/codes.zip"
            client = app.test_client()
            client.post("/login", data={"username": "district", "password": demo.DEMO_PASSWORD})

            cold = []
            for _ in range(COLD_RUNS):
                image_cache.clear()
                elapsed, archive = timed_zip(client, url)
                cold.append(elapsed)
            warm = [timed_zip(client, url)[0] for _ in range(args.warm_runs)]
            files = len(zipfile.ZipFile(io.BytesIO(archive)).namelist())
            db.engine.dispose()

    report(args.venues * args.booths_per_venue, files, len(archive), cold, warm)


def report(booths: int, files: int, size: int, cold: list[float], warm: list[float]) -> None:
    cold_ms, warm_ms = statistics.median(cold) * 1000, statistics.median(warm) * 1000
    ratio = cold_ms / warm_ms
    print(f"meeting: {booths} booths, {files} PNGs in the ZIP ({size / 1024:.0f} KiB)")
    print(f"cold (cache emptied, median of {len(cold)}): {cold_ms:8.1f} ms")
    print(f"warm (cache filled, median of {len(warm)}):  {warm_ms:8.1f} ms")
    verdict = "OK" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(f"ratio cold/warm: {ratio:.1f}x (target ≥ {TARGET_RATIO}x) {verdict}")


if __name__ == "__main__":
    main()
