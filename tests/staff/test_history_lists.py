"""The back office after a year (issue 23): /ledger, a firm, /meetings, /overview and /audit send as many statements
at 4× the history as at 1×, and a handful at that — none per firm, meeting, approval or audit row."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Venue
from app.services.paging import PAGE_SIZE
from tests.factories import org_named
from tests.history import seed_approvals, seed_audit_rows, seed_firms, seed_meetings
from tests.volume import statement_count

PAGES = [
    ("district", "/ledger"),
    ("district", "/ledger?should_found=1&q=顺义企业"),
    ("renhe", "/ledger?q=91110113MA"),
    ("district", "/ledger/{firm}"),
    ("district", "/meetings"),
    ("district", "/meetings?year=2026&q=沟通会"),
    ("renhe", "/meetings"),
    ("tianzhu", "/meetings?held_on=2026-03-01"),
    ("district", "/overview?year=2026"),
    ("viewer", "/overview"),
    ("district", "/audit"),
    ("district", "/audit?action=pii.reveal&username=renhe&since=2026-01-02"),
]
MOST_STATEMENTS = 15


def cold_statement_count(session, url: str) -> int:
    """Statements of one GET on an empty identity map, as each production request starts (the tests' requests
    share the test's session, which would otherwise hold what an earlier request or seeding loaded)."""
    db.session.expunge_all()
    return statement_count(session, url)


def add_history(venue_id: int, times: int, start: int) -> None:
    """`times` × (60 firms, 60 meetings, 60 approvals over two years, 150 audit rows) after number `start`."""
    firms = 60 * times
    seed_firms(org_named("仁和镇"), firms * 2 // 3, start)
    seed_firms(org_named("天竺镇"), firms // 3, start + firms)
    seed_meetings(firms, start)
    first = datetime(2025, 1, 1, tzinfo=UTC)
    seed_approvals(db.session.get(Venue, venue_id), [first + timedelta(days=n * 11 % 720) for n in range(firms)])
    seed_audit_rows(150 * times, start * 3)


def test_each_page_sends_as_many_statements_at_4x_the_history_as_at_1x(staff_login, seeded):
    venue_id = seeded.meeting.venues[0].id
    add_history(venue_id, 1, 0)
    sessions = {username: staff_login(username) for username in {username for username, _url in PAGES}}
    urls = [(username, url.format(firm=1)) for username, url in PAGES]
    once = {(username, url): cold_statement_count(sessions[username], url) for username, url in urls}
    add_history(venue_id, 3, 1000)
    four_times = {(username, url): cold_statement_count(sessions[username], url) for username, url in urls}

    assert four_times == once
    assert max(once.values()) <= MOST_STATEMENTS, once


def test_a_page_shows_one_page_of_rows_and_the_total(staff_login, seeded):
    add_history(seeded.meeting.venues[0].id, 4, 0)
    district = staff_login("district")
    ledger, meetings = district.get("/ledger").text, district.get("/meetings").text

    assert ledger.count("/ledger/") - ledger.count("/ledger/new") - ledger.count("/ledger/import") \
        - ledger.count("/ledger/export") == PAGE_SIZE
    assert "共 240 家" in ledger and "下一页" in ledger and "上一页" not in ledger
    assert meetings.count('class="card meeting-row"') == PAGE_SIZE and "共 241 场" in meetings


def test_the_top_bar_costs_the_same_whoever_organised_the_meetings_on_the_page(staff_login, seeded):
    # The district's union used to be lazily loaded for the top bar unless a meeting of the page had brought it
    # along: /meetings cost one statement more once the newest meetings were all towns' (year_scale at 10x).
    session = staff_login("district")
    seed_meetings(3, start=357)  # the year's newest three, organised by 仁和镇, 天竺镇 and the district
    with_the_district = cold_statement_count(session, "/meetings?held_on=2026-12-26")
    only_towns = cold_statement_count(session, "/meetings?held_on=2026-12-24")

    assert only_towns == with_the_district
