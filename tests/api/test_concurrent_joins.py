"""On PostgreSQL, racing submissions of one ID number leave exactly one live application and no 500s."""

import threading
from collections import Counter

import pytest

from app.extensions import db
from app.models import MembershipApplication
from tests.mp_fixtures import API, dev_token

pytestmark = pytest.mark.scaled_only
THREADS = 20


def race(app, tokens: list[str], form: dict) -> Counter:
    """Every token posts the same form at the same moment, each from its own thread and app context."""
    start = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def submit(token: str) -> None:
        with app.app_context():
            client = app.test_client()
            start.wait()
            response = client.post(f"{API}/membership-applications", json=form,
                                   headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(statuses)


def test_twenty_workers_racing_one_id_number_leave_one_application_and_nineteen_409s(app, client, join_form):
    tokens = [dev_token(client, f"racer-{n}") for n in range(THREADS)]
    assert race(app, tokens, join_form()) == Counter({201: 1, 409: THREADS - 1})
    assert db.session.query(MembershipApplication).count() == 1


def test_one_worker_racing_itself_gets_one_201_and_the_rest_200(app, client, join_form):
    token = dev_token(client, "double-tapper")
    assert race(app, [token] * 10, join_form()) == Counter({201: 1, 200: 9})
    assert db.session.query(MembershipApplication).count() == 1
