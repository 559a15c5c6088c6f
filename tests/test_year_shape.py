"""Nothing a staff page does grows with history (SPEC §9): each page sends as many SQL statements with a year of
about 2,000 applications as with four times that (bench/year_seed.py, the seeder of bench/year_scale.py).

A test of shape, not of time: the statements a request sends, counted on the engine, as the district's admin and
as a town's, for the same meeting, application and firm before and after three more such years are seeded.
"""

import pytest
from sqlalchemy import event

from app.extensions import db
from bench.year_seed import STAFF, seed_year, staff_pages

pytestmark = pytest.mark.scaled_only  # the seeder writes with PostgreSQL's COPY

SMALL_YEAR = 1 / 30  # ≈ 2,000 applications, 40 meetings, 9,500 audit rows


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1


def statements_per_page(sessions, pages) -> dict[tuple[str, str], tuple[int, int]]:
    """(user, page) → (status, statements), each page asked once before (caches, counters) and counted the second."""
    counted = {}
    statements = Statements()
    event.listen(db.engine, "before_cursor_execute", statements)
    try:
        for username, session in sessions.items():
            for label, path in pages:
                session.get(path)
                # The test's app context outlives requests, and so would its session's identity map: each request
                # starts from an empty one, as in a served worker.
                db.session.remove()
                statements.count = 0
                response = session.get(path)
                db.session.remove()
                counted[(username, label)] = (response.status_code, statements.count)
    finally:
        event.remove(db.engine, "before_cursor_execute", statements)
    return counted


def test_every_staff_page_sends_as_many_statements_at_four_times_the_history(staff_login):
    seed = seed_year(SMALL_YEAR)
    sessions = {username: staff_login(username) for username in STAFF}
    pages = staff_pages(seed)
    at_one_year = statements_per_page(sessions, pages)

    seed_year(3 * SMALL_YEAR)
    at_four_years = statements_per_page(sessions, pages)

    grown = {page: (before, at_four_years[page]) for page, before in at_one_year.items()
             if at_four_years[page] != before}
    assert grown == {}, "pages whose (status, statements) changed with 4× the history: " + "; ".join(
        f"{user} {label}: {before} → {after}" for (user, label), (before, after) in grown.items())
