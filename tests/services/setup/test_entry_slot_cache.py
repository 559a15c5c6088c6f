"""The join path's cache of entry codes: forgotten in every process on change, and never trusted for a write."""

import time

import pytest
from sqlalchemy import select, update

from app import create_app
from app.errors import AppError
from app.extensions import db
from app.models import EntryCode, Meeting, MeetingStatus, MembershipApplication, User
from app.services import process_cache
from app.services.intake import enrolment
from app.services.setup import entry_codes, meetings
from tests.conftest import settings_for
from tests.factories import make_worker

pytestmark = pytest.mark.scaled_only


@pytest.fixture
def cached_code(seeded, entry_code):
    """The join booth's code, resolved once so this process holds its slot."""
    entry_codes.resolve_slot(entry_code)
    assert process_cache.caches().subscribed.wait(10)
    entry_codes.resolve_slot(entry_code)
    assert entry_code in slots().entries
    return entry_code


def slots() -> process_cache.ProcessCache:
    return process_cache.caches().named(entry_codes.SLOT_CACHE)


def refusal(call) -> AppError:
    with pytest.raises(AppError) as raised:
        call()
    return raised.value


def test_a_join_through_a_stale_slot_of_a_closed_meeting_is_refused_by_its_insert(seeded, cached_code, join_form):
    # Closed behind the cache's back, as by a host whose forget message was lost: the slot still says open.
    db.session.execute(update(Meeting).where(Meeting.id == seeded.meeting.id).values(status=MeetingStatus.CLOSED))
    db.session.commit()
    assert entry_codes.resolve_slot(cached_code).meeting_id == seeded.meeting.id
    assert refusal(lambda: enrolment.submit_application(make_worker().id, join_form())).status == 410
    assert db.session.query(MembershipApplication).count() == 0


def test_a_join_through_a_stale_slot_of_a_revoked_code_is_refused_by_its_insert(seeded, cached_code, join_form):
    db.session.execute(update(EntryCode).where(EntryCode.code == cached_code).values(revoked_at=db.func.now()))
    db.session.commit()
    assert refusal(lambda: enrolment.submit_application(make_worker().id, join_form())).code == "entry_code_not_found"
    assert db.session.query(MembershipApplication).count() == 0


def test_a_revoke_in_another_process_is_refused_at_once_and_forgotten_here(app, seeded, cached_code, join_form):
    # Another app is another set of caches with its own subscription: as far as caches go, another process.
    elsewhere = create_app(settings_for(app.config["SQLALCHEMY_DATABASE_URI"]))
    with elsewhere.app_context():
        entry_codes.revoke(db.session.scalar(select(User).where(User.username == "renhe")), cached_code)
        db.session.remove()
        db.engine.dispose()
    assert refusal(lambda: enrolment.submit_application(make_worker().id, join_form())).status == 404
    deadline = time.monotonic() + 10
    while cached_code in slots().entries and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cached_code not in slots().entries


def test_closing_a_meeting_forgets_every_slot(seeded, cached_code):
    district = db.session.scalar(select(User).where(User.username == "district"))
    meetings.change_status(district, seeded.meeting, MeetingStatus.CLOSED)
    assert slots().entries == {}
    assert refusal(lambda: entry_codes.resolve_slot(cached_code)).status == 410
