"""On PostgreSQL, racing submissions of one ID number leave exactly one live application and no 500s;
racing first joins of a meeting are each counted once while its counters are being built."""

import threading
from collections import Counter

import pytest

from app.extensions import db
from app.models import MembershipApplication
from app.services.live import intake_counters
from tests.mp_fixtures import API, dev_token

pytestmark = pytest.mark.scaled_only
THREADS = 20


def race(app, submissions: list[tuple[str, dict]]) -> Counter:
    """Every (token, form) is posted at the same moment, each from its own thread and app context."""
    start = threading.Barrier(len(submissions))
    statuses: list[int] = []

    def submit(token: str, form: dict) -> None:
        with app.app_context():
            client = app.test_client()
            start.wait()
            response = client.post(f"{API}/membership-applications", json=form,
                                   headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=submission) for submission in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(statuses)


def test_twenty_workers_racing_one_id_number_leave_one_application_and_nineteen_409s(app, client, join_form):
    tokens = [dev_token(client, f"racer-{n}") for n in range(THREADS)]
    form = join_form()
    assert race(app, [(token, form) for token in tokens]) == Counter({201: 1, 409: THREADS - 1})
    assert db.session.query(MembershipApplication).count() == 1


def test_one_worker_racing_itself_gets_one_201_and_the_rest_200(app, client, join_form):
    token = dev_token(client, "double-tapper")
    form = join_form()
    assert race(app, [(token, form)] * 10) == Counter({201: 1, 200: 9})
    assert db.session.query(MembershipApplication).count() == 1


def test_twenty_first_joins_racing_the_build_of_the_meetings_counters_each_count_once(app, client, join_form, seeded):
    tokens = [dev_token(client, f"joiner-{n}") for n in range(THREADS)]
    assert race(app, [(token, join_form()) for token in tokens]) == Counter({201: THREADS})
    meeting_id = seeded.meeting.id
    assert intake_counters.meeting_counts(meeting_id).values_of("meeting", meeting_id)["joins"] == THREADS
