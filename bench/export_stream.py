"""A year's downloads from the project's gunicorn: first byte, total time, worker memory, and a big screen on the
same worker while they run.

    .venv/bin/python bench/export_stream.py [--scale 1] [--workers 1] [--only 入会申请（脱敏）]

On a throwaway PostgreSQL database and redis-server (stack.py), seeds the Shunyi demo and a district's year times
`--scale` (bench/year_seed.py: 60,000 applications, 29,000 cards, 8,000 firms at scale 1), then serves wsgi:app
under gunicorn.conf.py (gevent). Signed in as the district admin it takes every download of the year — the
applications masked and in full, the 会员登记表, the bank file of the cards sent, the ledger — each while another
client polls the demo meeting's totals as a big screen does (`/api/meetings/<id>/totals?display=…`, every
100 ms). With `--workers 1` (the default) the screen and the export share the one worker, so a worker blocked by
the export shows as the screen's slowest answer. Prints per download: seconds to the response headers and to
the first byte, total seconds, MB sent, the workbook's rows (its zip checked and its sheet counted), the
worker's RSS before and at its peak, and the screen's answers (count, median, slowest) beside the same screen
alone before any download (the baseline).
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
from pathlib import Path
from statistics import median

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402

from bench.stack import Stack, children  # noqa: E402

DOWNLOADS = {
    "入会申请（脱敏）": ("post", "/exports/applications", {}),
    "入会申请（完整）": ("post", "/exports/applications", {"unmasked": "1"}),
    "会员登记表": ("post", "/exports/member-register", {}),
    "银行报送文件": ("post", "/cards/bank-file", {}),
    "企业沟通台账": ("get", "/ledger/export", {}),
}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed(stage, scale: float):
    """A district's year times `scale` (bench/year_seed.py) beside the demo."""
    from bench.year_seed import seed_year

    with stage.app.app_context():
        return seed_year(scale)


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


def download(session: requests.Session, base: str, method: str, path: str, form: dict, watch: Watch) -> dict:
    token = CSRF.search(session.get(f"{base}/exports").text).group(1)
    rss_before = workers_rss_mb(watch.master_pid)
    watch.start()
    started = time.perf_counter()
    data = {**form, "csrf_token": token} if method == "post" else None
    with session.request(method, f"{base}{path}", data=data, stream=True, timeout=600) as response:
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
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--only", choices=list(DOWNLOADS), help="one download instead of all three")
    args = parser.parse_args()
    stack = Stack()
    try:
        stage = stack.seed_demo()
        seeding = time.perf_counter()
        year = seed(stage, args.scale)
        print(f"seeded a year at scale {args.scale} in {time.perf_counter() - seeding:.0f} s: {dict(year.rows)}")
        base = stack.gunicorn("wsgi:app", args.workers)
        session = signed_in(base)
        screen_url = f"{base}/api/meetings/{stage.meeting_id}/totals?display={stage.display_token}"
        alone = screen_alone(screen_url)
        print(f"screen alone (baseline): {len(alone)} answers, median {median(alone):.3f} s, "
              f"slowest {max(alone):.3f} s")
        print("download | headers s | first byte s | total s | MB | rows | worker RSS MB before → peak "
              "| screen answers, median s, slowest s")
        for name, (method, path, form) in DOWNLOADS.items():
            if args.only and name != args.only:
                continue
            result = download(session, base, method, path, form, Watch(stack.masters[base], screen_url))
            print(f"{name} | {result['headers']:.2f} | {result['first_byte']:.2f} | {result['total']:.1f} | "
                  f"{result['mb']:.1f} | {result['rows']} | {result['rss_before']:.0f} → {result['rss_peak']:.0f} | "
                  f"{len(result['screen'])}, {median(result['screen']):.3f}, {max(result['screen']):.3f}")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
