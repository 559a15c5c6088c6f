"""Setting up a district day from the template sheets, as an organiser does it in the web: how many form
submissions, how many seconds of server time, and how many rows it writes — for 27 venues (≈ 100 booths) and
for 270 (≈ 1,000).

Targets (issue 21): a 27-venue, 100-booth day in at most 10 form submissions and under 2 minutes of server time.
The slowest submission is printed too: one request must stay well inside gunicorn's 60 s worker timeout.
The baseline printed beside each day is the per-form way it replaces: one form submission per venue, per booth
and per booth account (and per staff assignment), which is what the day cost before the sheets.

Each run gets a fresh PostgreSQL database (on BENCH_ADMIN_DATABASE_URL's server, default the local `test`) and a
redis-server of its own, a district with Shunyi's 27 unions and its first admin; the submissions go through the
real app in process (Flask's test client), so the seconds are the server's own, without a network.

    .venv/bin/python bench/setup_day.py [--venues 27 270]
"""

import argparse
import re
import sys
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import Stack  # noqa: E402
from tests.conftest import StaffSession  # noqa: E402

KINDS = (("建会", "建会岗"), ("入会", "入会岗"), ("法律咨询", "法律咨询岗"), ("互助服务卡", "互助服务卡岗"))
PASSWORD = "setup-day-bench-2026"


def venue_rows(unions: list[str], venues: int) -> tuple[list[list], list[tuple[str, str]]]:
    """`venues` venues spread over the unions, 4 booths at 7 in 10 venues and 3 at the rest (≈ 3.7 a venue)."""
    rows, booths = [], []
    for number in range(venues):
        union = unions[number % len(unions)]
        name = f"{union}第{number // len(unions) + 1}分会场"
        kinds = KINDS if number % 10 < 7 else KINDS[:3]
        role = "主会场" if number == 0 else "分会场"
        rows.append([name, role, union, f"{union}职工服务中心{number}", "", *kinds[0], ""])
        rows += [["", "", "", "", "", *kind, ""] for kind in kinds[1:]]
        booths += [(name, booth) for _, booth in kinds]
    return rows, booths


def staff_rows(booths: list[tuple[str, str]]) -> list[list]:
    """One volunteer per booth, with a mobile of their own."""
    return [[f"志愿者{n:04d}", f"139{n:08d}", venue, booth] for n, (venue, booth) in enumerate(booths)]


class Organiser:
    """The district admin at the web, counting submissions and the server's seconds."""

    def __init__(self, app):
        self.session = StaffSession(app.test_client())
        self.submissions, self.seconds, self.slowest = 0, 0.0, (0.0, "")

    def submit(self, url: str, data: dict | None = None, content: bytes | None = None):
        started = time.perf_counter()
        if content is None:
            answer = self.session.post_form(url, data or {})
        else:
            answer = self.session.upload(url, content, **(data or {}))
        took = time.perf_counter() - started
        self.seconds += took
        self.slowest = max(self.slowest, (took, url))
        self.submissions += 1
        assert answer.status_code in (200, 302), f"{url}: {answer.status_code} {answer.text[:500]}"
        return answer

    def preview_then_confirm(self, url: str, content: bytes) -> None:
        preview = self.submit(url, content=content)
        carried = unescape(re.search(r'name="sheet" value="([^"]+)"', preview.text).group(1))
        self.submit(url, {"sheet": carried, "confirm": "1"})


def rows_in(db) -> int:
    from sqlalchemy import func, select

    return sum(db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables)


def set_up_day(venues: int) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Meeting
    from app.services.setup import passwords, union_sheet, unions
    from app.services.xlsx import workbook_bytes

    stack = Stack()
    try:
        app = create_app(stack.app_overrides())
        with app.app_context():
            upgrade()
            issued = unions.create_district("顺义区总工会", "admin")
            union_sheet.write_sheet(union_sheet.example_sheet())
            passwords.change_password(issued.user, PASSWORD)
            issued.user.must_change_password = False
            db.session.commit()
            union_names = [org.name for org in unions.active_unions() if org.parent_id]
            organiser = Organiser(app)
            organiser.session.login("admin", PASSWORD)
            before = rows_in(db)

            organiser.submit("/meetings/new", {"title": f"{venues} 个会场的沟通会", "held_on": "2027-03-15",
                                               "kind": "district_day", "organiser_org_id": issued.user.org_id})
            meeting_id = db.session.scalar(db.select(Meeting.id).order_by(Meeting.id.desc()))
            rows, booths = venue_rows(union_names, venues)
            organiser.preview_then_confirm(f"/meetings/{meeting_id}/venues/import",
                                           workbook_bytes("会场和岗位", VENUE_HEADER, rows))
            organiser.preview_then_confirm(f"/meetings/{meeting_id}/booth-accounts",
                                           workbook_bytes("岗位账号", STAFF_HEADER, staff_rows(booths)))
            organiser.submit(f"/meetings/{meeting_id}/display-links/venues")
            organiser.submit(f"/meetings/{meeting_id}/booth-passes")
            organiser.submit(f"/meetings/{meeting_id}/status", {"status": "open"})
            written = rows_in(db) - before
        return {"venues": venues, "booths": len(booths), "accounts": len(booths),
                "submissions": organiser.submissions, "seconds": organiser.seconds, "rows": written,
                "slowest": organiser.slowest,
                # Form by form: the meeting, each venue, each booth, each account, each assignment, opening.
                "per_form": 1 + venues + 3 * len(booths) + 1}
    finally:
        stack.close()


VENUE_HEADER = ["会场名称", "主/分会场", "承办工会", "地点", "地址", "岗位类型", "岗位名称", "岗位人员"]
STAFF_HEADER = ["姓名", "手机号", "会场名称", "岗位名称"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, nargs="+", default=[27, 270])
    args = parser.parse_args()
    print(f"{'venues':>6} {'booths':>6} {'accounts':>8} {'submissions':>11} {'baseline':>8} {'seconds':>8} "
          f"{'rows':>7}  target")
    for venues in args.venues:
        day = set_up_day(venues)
        met = "met" if day["submissions"] <= 10 and day["seconds"] < 120 else "MISSED"
        print(f"{day['venues']:>6} {day['booths']:>6} {day['accounts']:>8} {day['submissions']:>11} "
              f"{day['per_form']:>8} {day['seconds']:>8.1f} {day['rows']:>7}  ≤ 10 submissions, < 120 s: {met}"
              f" ({day['per_form'] / day['submissions']:.0f}x fewer submissions than form by form;"
              f" slowest {day['slowest'][0]:.1f} s, {day['slowest'][1]})")


if __name__ == "__main__":
    main()
