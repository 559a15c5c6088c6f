"""A year's applications downloaded from the project's gunicorn: first byte, total time, worker memory, and a
big screen on the same worker while it runs.

    .venv/bin/python bench/export_stream.py [--rows 60000] [--workers 1] [--only 入会申请（脱敏）]

On a throwaway PostgreSQL database and redis-server (stack.py), seeds the Shunyi demo and `--rows` approved
membership applications as intake writes them (Fernet-encrypted name, valid 身份证号 and mobile, blind index),
then serves wsgi:app under gunicorn.conf.py (gevent). Signed in as the district admin it downloads the masked
and the full applications export and the 会员登记表, each while another client polls the meeting's totals as a
big screen does (`/api/meetings/<id>/totals?display=…`, every 100 ms). With `--workers 1` (the default) the
screen and the export share the one worker, so a worker blocked by the export shows as the screen's slowest
answer. Prints per download: seconds to the response headers and to the first byte, total seconds, MB sent,
the workbook's rows (its zip checked and its sheet counted), the worker's RSS before and at its peak, and the
screen's answers (count, median, slowest) beside the same screen alone before any download (the baseline).
Targets (issue 23): first byte < 2 s, no worker timeout, worker RSS growth < 100 MB.
"""

import argparse
import io
import os
import re
import sys
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from statistics import median

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.stack import Stack, children  # noqa: E402
from tests.factories import id_number  # noqa: E402

DOWNLOADS = {
    "入会申请（脱敏）": ("/exports/applications", {}),
    "入会申请（完整）": ("/exports/applications", {"unmasked": "1"}),
    "会员登记表": ("/exports/member-register", {}),
}
SEED_BATCH = 5000
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed_applications(stage, rows: int) -> None:
    """`rows` approved applications spread over the demo meeting's venues, in executemany batches."""
    from app.extensions import db
    from app.models import ApplicationStatus, MembershipApplication, Venue
    from app.models.base import utcnow
    from app.services import privacy

    with stage.app.app_context():
        venues = db.session.scalars(db.select(Venue).where(Venue.meeting_id == stage.meeting_id)).all()
        start = utcnow() - timedelta(days=365)
        for first in range(0, rows, SEED_BATCH):
            batch = []
            for n in range(first, min(rows, first + SEED_BATCH)):
                venue, number = venues[n % len(venues)], id_number(serial=n)
                submitted_at = start + timedelta(minutes=8 * n)
                batch.append({
                    "meeting_id": venue.meeting_id, "venue_id": venue.id, "host_org_id": venue.host_org_id,
                    "status": ApplicationStatus.APPROVED, "name_enc": privacy.encrypt(f"职工{n:06d}"),
                    "id_number_enc": privacy.encrypt(number), "mobile_enc": privacy.encrypt(f"139{n:08d}"),
                    "id_blind_index": privacy.blind_index(number), "gender": "男", "employer": "北京顺义物流有限公司",
                    "industry": "交通运输、仓储和邮政业", "education": "本科", "consent": True,
                    "consent_version": "2026-11", "submitted_at": submitted_at,
                    "decided_at": submitted_at + timedelta(hours=1),
                    "member_no": f"{venue.host_org_id:03d}-2026-{n:06d}",
                })
            db.session.execute(insert(MembershipApplication), batch)
            db.session.commit()


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login").text).group(1)
    answer = session.post(f"{base}/login", data={"username": "district", "password": "shunyi2026", "csrf_token": token},
                          allow_redirects=False)
    assert answer.status_code == 302, answer.status_code
    return session


class Watch(threading.Thread):
    """While a download runs: the workers' RSS every 100 ms, and a big screen's totals request every 100 ms."""

    def __init__(self, master_pid: int, screen_url: str):
        super().__init__(daemon=True)
        self.master_pid, self.screen_url = master_pid, screen_url
        self.running = True
        self.peak_rss_mb = 0.0
        self.screen_seconds: list[float] = []

    def run(self) -> None:
        with requests.Session() as screen:
            while self.running:
                self.peak_rss_mb = max(self.peak_rss_mb, workers_rss_mb(self.master_pid))
                started = time.perf_counter()
                assert screen.get(self.screen_url, timeout=120).status_code == 200
                self.screen_seconds.append(time.perf_counter() - started)
                time.sleep(0.1)


def screen_alone(screen_url: str, answers: int = 30) -> list[float]:
    seconds = []
    with requests.Session() as screen:
        for _ in range(answers):
            started = time.perf_counter()
            assert screen.get(screen_url, timeout=10).status_code == 200
            seconds.append(time.perf_counter() - started)
            time.sleep(0.1)
    return seconds


def workers_rss_mb(master_pid: int) -> float:
    total = 0
    for pid in children(master_pid):
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total / 1024


def rows_in(workbook: bytes) -> int:
    archive = zipfile.ZipFile(io.BytesIO(workbook))
    assert archive.testzip() is None
    return archive.read("xl/worksheets/sheet1.xml").count(b"<row ") - 1  # less the header


def download(session: requests.Session, base: str, path: str, form: dict, watch: Watch) -> dict:
    token = CSRF.search(session.get(f"{base}/exports").text).group(1)
    rss_before = workers_rss_mb(watch.master_pid)
    watch.start()
    started = time.perf_counter()
    with session.post(f"{base}{path}", data={**form, "csrf_token": token}, stream=True, timeout=600) as response:
        headers_at = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        chunks = response.iter_content(chunk_size=None)
        first = next(chunks)
        first_byte_at = time.perf_counter() - started
        body = first + b"".join(chunks)
    total = time.perf_counter() - started
    watch.running = False
    watch.join()
    return {"headers": headers_at, "first_byte": first_byte_at, "total": total, "mb": len(body) / 2**20,
            "rows": rows_in(body), "rss_before": rss_before, "rss_peak": watch.peak_rss_mb,
            "screen": watch.screen_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--only", choices=list(DOWNLOADS), help="one download instead of all three")
    args = parser.parse_args()
    stack = Stack()
    try:
        stage = stack.seed_demo()
        seeding = time.perf_counter()
        seed_applications(stage, args.rows)
        print(f"seeded {args.rows} applications in {time.perf_counter() - seeding:.1f} s")
        base = stack.gunicorn("wsgi:app", args.workers)
        session = signed_in(base)
        screen_url = f"{base}/api/meetings/{stage.meeting_id}/totals?display={stage.display_token}"
        alone = screen_alone(screen_url)
        print(f"screen alone (baseline): {len(alone)} answers, median {median(alone):.3f} s, "
              f"slowest {max(alone):.3f} s")
        print("download | headers s | first byte s | total s | MB | rows | worker RSS MB before → peak "
              "| screen answers, median s, slowest s")
        for name, (path, form) in DOWNLOADS.items():
            if args.only and name != args.only:
                continue
            result = download(session, base, path, form, Watch(stack.masters[base], screen_url))
            print(f"{name} | {result['headers']:.2f} | {result['first_byte']:.2f} | {result['total']:.1f} | "
                  f"{result['mb']:.1f} | {result['rows']} | {result['rss_before']:.0f} → {result['rss_peak']:.0f} | "
                  f"{len(result['screen'])}, {median(result['screen']):.3f}, {max(result['screen']):.3f}")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
