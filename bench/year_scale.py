"""The back office after a year, and at ten districts' volume (issue 23): every staff page and download timed.

For each scale (`--scale 1 10`): a throwaway stack (bench/stack.py: a fresh PostgreSQL database, a redis-server
of its own), the demo and one district's year times the scale (bench/year_seed.py), served by gunicorn.conf.py
with 4 gevent workers (bench/counted_app.py: each answer tells its SQL statements in X-Bench-SQL). Signed in as
the district's admin and as 仁和镇's, it asks every staff page `--requests` times after one unmeasured request,
and every download `--downloads` times: p50/p95, first byte, bytes, rows, statements, and the largest RSS growth
of any worker while it answered (sampled every 50 ms from /proc). Then, as the district, a 5,000-row ledger
import; `flask intake rebuild` (open meetings) beside `--all` (every unarchived meeting, the old default); and
`flask privacy purge`'s first run: its time and the longest wait between two committed batches.

It prints a table per scale, the ratios between the smallest and the largest scale, and issue 23's targets as
met or missed. A streamed download's statements are those before its first byte (the header leaves with it).

    .venv/bin/python bench/year_scale.py [--scale 1 10] [--requests 5] [--downloads 2]
"""

import argparse
import io
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import User  # noqa: E402
from bench.counted_app import SQL_HEADER  # noqa: E402
from bench.stack import Stack, children  # noqa: E402
from bench.year_seed import STAFF, YearSeed, seed_year, staff_pages  # noqa: E402
from tests.conftest import csrf_token_from  # noqa: E402

PASSWORD = "shunyi2026"  # the demo accounts'
WORKERS = 4  # gunicorn.conf.py's default with Redis
FLASK = str(ROOT / ".venv" / "bin" / "flask")
IMPORT_ROWS = 5000
PAGE_P95_SECONDS, FIRST_BYTE_SECONDS, EXPORT_RSS_MB, REBUILD_SECONDS = 1.0, 2.0, 100, 5.0


@dataclass
class Sample:
    status: int
    seconds: float
    first_byte: float
    size: int
    statements: int
    rows: int | None = None


@dataclass
class Measured:
    """One page or download as one user, at one scale."""

    label: str
    who: str
    download: bool
    samples: list[Sample] = field(default_factory=list)
    rss_growth_mb: float = 0.0
    restarts: int = 0
    expected_rows: int | None = None

    def p(self, attribute: str, q: float) -> float:
        values = sorted(getattr(s, attribute) for s in self.samples)
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]

    @property
    def statements(self) -> int:
        return max(s.statements for s in self.samples)

    @property
    def status(self) -> int:
        return self.samples[-1].status


@dataclass
class ScaleRun:
    scale: float
    seed: YearSeed
    measured: list[Measured] = field(default_factory=list)
    maintenance: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)


class WorkerMemory:
    """The gunicorn workers' RSS, sampled while a block runs: the largest growth of one worker, and restarts."""

    def __init__(self, master_pid: int):
        self.master_pid = master_pid

    def __enter__(self):
        self.before = self.rss()
        self.peak = dict(self.before)
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while self.running:
            for pid, rss in self.rss().items():
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
            time.sleep(0.05)

    def __exit__(self, *_exc):
        self.running = False
        self.thread.join()
        after = self.rss()
        self.restarts = len(set(self.before) - set(after))
        self.growth_mb = max((self.peak[pid] - self.before[pid] for pid in self.before if pid in self.peak),
                             default=0) / 1024

    def rss(self) -> dict[int, int]:
        sizes = {}
        for pid in children(self.master_pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            sizes[pid] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return sizes


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token_from(session.get(base + "/login").text)
    answer = session.post(base + "/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
    return session


def fetch(session: requests.Session, method: str, url: str, data=None, files=None) -> Sample:
    """One request read to its end: seconds to the first byte and to the last, bytes, statements, sheet rows."""
    started, first_byte = time.perf_counter(), None
    with tempfile.SpooledTemporaryFile(max_size=8 * 2**20) as body, session.request(
            method, url, data=data, files=files, stream=True, allow_redirects=False, timeout=900) as answer:
        for chunk in answer.iter_content(256 * 1024):
            first_byte = first_byte or time.perf_counter() - started
            body.write(chunk)
        seconds = time.perf_counter() - started
        statements = int((answer.headers.get(SQL_HEADER) or "0 0").split()[0])
        sheet = "spreadsheetml" in answer.headers.get("Content-Type", "")
        size = body.tell()
        rows = sheet_rows(body) if sheet and answer.status_code == 200 else None
    return Sample(answer.status_code, seconds, first_byte or seconds, size, statements, rows)


def sheet_rows(body) -> int:
    """Data rows of an .xlsx (its first sheet's <row> elements but the header), read as a stream."""
    body.seek(0)
    with zipfile.ZipFile(body) as book:
        name = next(n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        count, tail = 0, b""
        with book.open(name) as sheet:
            while chunk := sheet.read(2**20):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-5:]
                count -= tail.count(b"<row ") + tail.count(b"<row>")
            count += tail.count(b"<row ") + tail.count(b"<row>")
    return count - 1


def measure(memory: WorkerMemory, who: str, label: str, ask, times: int, download: bool) -> Measured:
    if not download:
        ask()  # unmeasured: the worker's caches, the meeting's counters
    measured = Measured(label, who, download)
    with memory as watch:
        measured.samples = [ask() for _ in range(times)]
    measured.rss_growth_mb, measured.restarts = watch.growth_mb, watch.restarts
    return measured


def downloads(base: str, seed: YearSeed, who: str, session: requests.Session):
    """(label, ask) of every download the user has: whole-history exports, the ledger, the bank file, a day."""
    token = csrf_token_from(session.get(base + "/exports").text)

    def post(path, **form):
        return lambda: fetch(session, "POST", base + path, {"csrf_token": token, **form})

    def get(path):
        return lambda: fetch(session, "GET", base + path)

    asked = [("applications .xlsx", post("/exports/applications")), ("ledger .xlsx", get("/ledger/export")),
             ("day summary .xlsx", get(f"/meetings/{seed.big_meeting_id}/summary.xlsx"))]
    if who == "district":
        asked += [("applications .xlsx, full", post("/exports/applications", unmasked="1")),
                  ("member register .xlsx", post("/exports/member-register")),
                  ("bank file .xlsx", post("/cards/bank-file"))]
    return asked


def time_pages(stack: Stack, app, base: str, seed: YearSeed, args) -> list[Measured]:
    memory, measured = WorkerMemory(stack.masters[base]), []
    for who in STAFF:
        session = signed_in(base, who)
        for label, path in staff_pages(seed):
            ask = lambda path=path, session=session: fetch(session, "GET", base + path)  # noqa: E731
            measured.append(measure(memory, who, label, ask, args.requests, download=False))
            print(f"  {who:<9} {label:<28} {measured[-1].p('seconds', 0.95) * 1000:8.0f} ms", flush=True)
        for label, ask in downloads(base, seed, who, session):
            measured.append(measure(memory, who, label, ask, args.downloads, download=True))
            measured[-1].expected_rows = rows_announced(app, label)
            print(f"  {who:<9} {label:<28} {measured[-1].p('seconds', 0.95):8.1f} s", flush=True)
    return measured


def ledger_sheet(app, round_: int) -> bytes:
    """5,000 rows: 2,500 seeded firms with a changed headcount, and 2,500 new firms (new ones each round)."""
    from openpyxl import Workbook

    from app.models import Enterprise, Org
    from app.services.ledger.spreadsheet import COLUMNS
    from bench.year_seed import credit_code

    half = IMPORT_ROWS // 2
    with app.app_context():
        firms = db.session.execute(select(Enterprise.name, Enterprise.credit_code, Org.name, Enterprise.employees)
                                   .join(Org, Enterprise.town_org_id == Org.id).order_by(Enterprise.id)
                                   .offset(round_ * half).limit(half)).all()
        db.session.remove()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for name, code, town, employees in firms:
        sheet.append([name, code, town, "制造业", employees + 1, 0, "否", "", 0, 0])
    for n in range(round_ * IMPORT_ROWS, round_ * IMPORT_ROWS + IMPORT_ROWS - len(firms)):
        sheet.append([f"导入新企业{n:05d}有限公司", credit_code(90_000_000 + n), "仁和镇", "", 30, 10, "是",
                      "2026-05-01", 0, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def time_import(base: str, app, run: ScaleRun) -> None:
    """The sheet through the web as the district (seconds, statements), then another in process: database time."""
    session = signed_in(base, "district")
    token = csrf_token_from(session.get(base + "/ledger/import").text)
    sample = fetch(session, "POST", base + "/ledger/import", {"csrf_token": token},
                   {"file": ("台账.xlsx", ledger_sheet(app, 0))})
    from app.services.ledger import spreadsheet

    content, spent = ledger_sheet(app, 1), []
    with app.app_context():
        district = db.session.scalar(select(User).where(User.username == "district"))
        event.listen(db.engine, "before_cursor_execute", lambda *_: spent.append(-time.perf_counter()))
        event.listen(db.engine, "after_cursor_execute", lambda *_: spent.append(time.perf_counter()))
        began = time.perf_counter()
        spreadsheet.import_workbook(district, content)
        whole = time.perf_counter() - began
        db.session.remove()
    run.maintenance["ledger import, 5,000 rows"] = (
        f"{sample.seconds:.2f} s through the web (HTTP {sample.status}, {sample.statements} statements); in process "
        f"{whole:.2f} s, of which {sum(spent):.3f} s in its {len(spent) // 2} statements")


def flask_command(stack: Stack, *command: str) -> tuple[float, list[tuple[float, str]]]:
    """Run `flask --app wsgi <command>` on the stack: its seconds and each output line with its moment."""
    started, lines = time.monotonic(), []
    with subprocess.Popen([FLASK, "--app", "wsgi", *command], cwd=ROOT, env=stack.env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as process:
        for line in process.stdout:
            lines.append((time.monotonic() - started, line.rstrip()))
    if process.returncode != 0:
        raise RuntimeError(f"flask {' '.join(command)} failed ({process.returncode})")
    return time.monotonic() - started, lines


def time_maintenance(stack: Stack, run: ScaleRun) -> None:
    # The baseline of every command below: starting Python and the app (`--help` lists the app's commands).
    seconds, _ = flask_command(stack, "--help")
    run.maintenance["flask start-up (flask --app wsgi --help)"] = f"{seconds:.1f} s"
    for label, command in (("intake rebuild", ()), ("intake rebuild --all", ("--all",))):
        seconds, lines = flask_command(stack, "intake", "rebuild", *command)
        run.figures[label] = seconds
        run.maintenance[f"flask {label}"] = f"{seconds:.1f} s, {len(lines)} meetings"
    seconds, lines = flask_command(stack, "privacy", "purge")
    moments = [0.0] + [moment for moment, line in lines if " of " in line]
    longest = max(b - a for a, b in zip(moments, moments[1:], strict=False)) if len(moments) > 1 else seconds
    run.figures["purge seconds"], run.figures["purge longest batch"] = seconds, longest
    run.maintenance["flask privacy purge (first run)"] = (
        f"{seconds:.1f} s, {len(moments) - 1} committed batches, longest wait between commits {longest:.1f} s; "
        + (lines[-1][1] if lines else ""))
    seconds, lines = flask_command(stack, "privacy", "purge")
    run.maintenance["flask privacy purge (second run)"] = f"{seconds:.1f} s; " + (lines[-1][1] if lines else "")


EXPORT_ACTIONS = {"applications .xlsx": "export.applications", "applications .xlsx, full": "export.applications",
                  "member register .xlsx": "export.member_register", "bank file .xlsx": "cards.bank_file"}


def rows_announced(app, label: str) -> int | None:
    """What the export just made said it would write (its audit row's `rows`), to check the file holds all of it."""
    from app.models import AuditLog

    if label not in EXPORT_ACTIONS:
        return None
    with app.app_context():
        detail = db.session.scalar(select(AuditLog.detail).where(AuditLog.action == EXPORT_ACTIONS[label])
                                   .order_by(AuditLog.id.desc()).limit(1))
        db.session.remove()
    return (detail or {}).get("rows")


def run_scale(scale: float, args) -> ScaleRun:
    stack = Stack()
    try:
        stage = stack.seed_demo()
        started = time.monotonic()
        with stage.app.app_context():
            seed = seed_year(scale)
            size = db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()
            db.session.remove()
        run = ScaleRun(scale, seed)
        run.maintenance["seed"] = (f"{time.monotonic() - started:.0f} s, {size / 2**20:.0f} MB; "
                                   + ", ".join(f"{table} {rows:,}" for table, rows in seed.rows.most_common()))
        print(f"scale {scale:g}: {run.maintenance['seed']}", flush=True)
        base = stack.gunicorn("bench.counted_app:real()", WORKERS)
        run.measured = time_pages(stack, stage.app, base, seed, args)
        time_import(base, stage.app, run)
        stack.stop_servers()
        time_maintenance(stack, run)
        return run
    finally:
        stack.close()


def print_run(run: ScaleRun) -> None:
    print(f"\n== scale {run.scale:g} ==")
    print(f"{'who':<9} {'page / download':<28} {'HTTP':>4} {'p50 ms':>8} {'p95 ms':>8} {'1st byte':>9} {'KB':>9} "
          f"{'SQL':>5} {'rows':>9} {'RSS+ MB':>8}")
    for m in run.measured:
        first = f"{m.p('first_byte', 0.95) * 1000:7.0f}ms" if m.download else ""
        rows = "" if m.samples[-1].rows is None else f"{m.samples[-1].rows:,}"
        print(f"{m.who:<9} {m.label:<28} {m.status:>4} {m.p('seconds', 0.5) * 1000:8.0f} "
              f"{m.p('seconds', 0.95) * 1000:8.0f} {first:>9} {m.p('size', 0.5) / 1024:9.0f} {m.statements:>5} "
              f"{rows:>9} {m.rss_growth_mb:8.1f}")
    for label, figure in run.maintenance.items():
        print(f"{label}: {figure}")


def print_comparison(runs: list[ScaleRun]) -> None:
    small, large = runs[0], runs[-1]
    before = {(m.who, m.label): m for m in small.measured}
    if len(runs) == 1:
        print_targets(small, large, before)
        return
    print(f"\n== {large.scale:g}x against {small.scale:g}x ==")
    print(f"{'who':<9} {'page / download':<28} {'p95 ratio':>9} {'SQL':>12}")
    for m in large.measured:
        old = before.get((m.who, m.label))
        if old:
            ratio = m.p("seconds", 0.95) / max(old.p("seconds", 0.95), 1e-6)
            print(f"{m.who:<9} {m.label:<28} {ratio:9.1f} {old.statements:>5} → {m.statements:<5}")
    print_targets(small, large, before)


def print_targets(small: ScaleRun, large: ScaleRun, before: dict) -> None:
    pages = [m for m in large.measured if not m.download and m.status == 200]
    exports = [m for m in large.measured if m.download]
    slow = [f"{m.who} {m.label} {m.p('seconds', 0.95):.2f} s" for m in pages
            if m.p("seconds", 0.95) >= PAGE_P95_SECONDS]
    grown = [f"{m.who} {m.label} {before[(m.who, m.label)].statements} → {m.statements}" for m in large.measured
             if not m.download and (m.who, m.label) in before and before[(m.who, m.label)].statements != m.statements]
    late = [f"{m.who} {m.label} {m.p('first_byte', 0.95):.1f} s" for m in exports
            if m.p("first_byte", 0.95) >= FIRST_BYTE_SECONDS]
    partial = [f"{m.who} {m.label} {m.samples[-1].rows} of {m.expected_rows} (HTTP {m.status})" for m in exports
               if m.status != 200 or (m.expected_rows is not None and m.samples[-1].rows != m.expected_rows)]
    fat = [f"{m.who} {m.label} +{m.rss_growth_mb:.0f} MB" for m in exports if m.rss_growth_mb >= EXPORT_RSS_MB]
    restarts = [f"{m.who} {m.label}" for m in large.measured + small.measured if m.restarts]
    largest = max((m.samples[-1].rows or 0 for m in exports), default=0)
    rebuild, rebuild_all = large.figures["intake rebuild"], large.figures["intake rebuild --all"]
    print(f"\n== issue 23's targets at {large.scale:g}x ==")
    verdicts = [
        (f"every staff page p95 < {PAGE_P95_SECONDS:g} s", slow),
        (f"statements per page identical at {small.scale:g}x and {large.scale:g}x", grown),
        (f"downloads: first byte < {FIRST_BYTE_SECONDS:g} s", late),
        (f"downloads complete (largest {largest:,} rows)", partial),
        (f"worker RSS grows < {EXPORT_RSS_MB} MB during any download", fat),
        ("no worker timeout or restart", restarts),
        (f"flask intake rebuild < {REBUILD_SECONDS:g} s ({rebuild:.1f} s; --all {rebuild_all:.1f} s)",
         [] if rebuild < REBUILD_SECONDS else [f"{rebuild:.1f} s"]),
        (f"flask privacy purge's first run completes ({large.figures['purge seconds']:.0f} s, longest wait "
         f"between commits {large.figures['purge longest batch']:.1f} s)", []),
    ]
    for target, misses in verdicts:
        print(f"{'met   ' if not misses else 'MISSED'} {target}" + ("" if not misses else ": " + "; ".join(misses)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--requests", type=int, default=5, help="measured requests per page (after one unmeasured)")
    parser.add_argument("--downloads", type=int, default=2, help="measured requests per download")
    args = parser.parse_args()
    runs = []
    for scale in args.scale:
        runs.append(run_scale(scale, args))
        print_run(runs[-1])
    print_comparison(runs)
    print(f"\nmedian of page p95s at {runs[-1].scale:g}x: "
          f"{statistics.median(m.p('seconds', 0.95) for m in runs[-1].measured if not m.download) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
