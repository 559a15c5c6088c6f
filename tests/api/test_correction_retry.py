"""A correction sent again because its answer was lost on a weak signal is answered as the first time (issue 24
item 2): by its Idempotency-Key, or (an older client, no key) because the application already holds it."""

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import User
from app.services.afterday import review

API = "/mp/v1"
CORRECTION = {"employer": "北京顺义物流有限公司仁和分公司"}


@pytest.fixture
def returned(mp_worker, join_form):
    """(the owner's phone, the path of their application, which renhe returned for its employer)."""
    owner = mp_worker()
    application_id = owner.join(join_form()).json["id"]
    renhe = db.session.scalar(select(User).where(User.username == "renhe"))
    review.return_for_correction(renhe, application_id, "请填写单位全称", fields=["employer"])
    return owner, f"{API}/membership-applications/{application_id}"


def correct(owner, path: str, body: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else None
    return owner.client.patch(path, json=body, headers=owner.headers(headers))


@pytest.fixture
def application_updates(app):
    """The UPDATEs of membership applications the database is sent from now on."""
    sent = []

    def remember(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE MEMBERSHIP_APPLICATIONS"):
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    yield sent
    event.remove(engine, "before_cursor_execute", remember)


def test_a_correction_repeated_with_its_key_is_answered_200_twice_and_written_once(returned, application_updates):
    owner, path = returned
    first = correct(owner, path, CORRECTION, key="mp-fix-1")
    writes_of_the_first = len(application_updates)
    again = correct(owner, path, CORRECTION, key="mp-fix-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json == first.json and first.json["status"] == "submitted"
    assert writes_of_the_first == 1 and len(application_updates) == 1


def test_a_keyless_retry_of_a_correction_already_applied_is_answered_as_success(returned):
    owner, path = returned
    first = correct(owner, path, CORRECTION)
    again = correct(owner, path, {"employer": " 北京顺义物流有限公司仁和分公司 "})
    assert (again.status_code, again.json) == (200, first.json)


def test_a_different_correction_of_an_application_under_review_is_still_refused(returned):
    owner, path = returned
    correct(owner, path, CORRECTION, key="mp-fix-1")
    other = correct(owner, path, {"employer": "另一家公司"}, key="mp-fix-2")
    empty = correct(owner, path, {})
    assert (other.status_code, other.json["error"]["code"]) == (409, "not_returned")
    assert (empty.status_code, empty.json["error"]["code"]) == (409, "not_returned")
