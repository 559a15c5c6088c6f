"""Entry codes: random and unguessable, revocable, issued on demand, dying with their meeting."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, Meeting, MeetingKind, Org, User, Venue, VenueRole
from app.services.setup import entry_codes, meetings

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def draft_meeting_with_a_renhe_venue() -> Venue:
    renhe = db.session.scalar(select(Org).where(Org.name == "仁和镇"))
    meeting = Meeting(title="仁和镇企业沟通会", held_on=date(2026, 12, 5), kind=MeetingKind.TOWN, organiser_org=renhe)
    venue = Venue(meeting=meeting, role=VenueRole.MAIN, host_org=renhe, place_name="仁和镇职工之家")
    db.session.add(venue)
    db.session.commit()
    return venue


def test_codes_are_long_url_safe_random_and_distinct(seeded):
    codes = [c.code for c in entry_codes.active_codes(seeded.meeting)] + [entry_codes.new_code() for _ in range(500)]
    assert all(URL_SAFE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert entry_codes.CODE_BYTES * 8 >= 50


def test_a_draft_meetings_venue_gets_codes_on_demand_that_answer_not_yet_open(seeded):
    venue = draft_meeting_with_a_renhe_venue()
    [created] = entry_codes.issue_missing(user("renhe"), venue)
    assert created.booth is None
    with pytest.raises(AppError) as raised:
        entry_codes.resolve(created.code)
    assert (raised.value.status, raised.value.message) == (410, "本场沟通会尚未开始")
    assert entry_codes.issue_missing(user("renhe"), venue) == []


def test_opening_keeps_the_codes_printed_in_advance(seeded):
    venue = draft_meeting_with_a_renhe_venue()
    [printed] = entry_codes.issue_missing(user("renhe"), venue)
    meetings.change_status(user("district"), venue.meeting, meetings.MeetingStatus.OPEN)
    assert entry_codes.resolve(printed.code).venue_id == venue.id


def test_regenerate_revokes_the_old_code_and_records_who_did_it(seeded):
    old = next(c for c in entry_codes.active_codes(seeded.meeting) if c.venue.host_org.name == "仁和镇")
    new = entry_codes.regenerate(user("renhe"), old.code, "10.0.0.8")
    assert (new.venue_id, new.booth_id) == (old.venue_id, old.booth_id)
    with pytest.raises(AppError) as raised:
        entry_codes.resolve(old.code)
    assert raised.value.status == 404
    audit = db.session.scalar(select(AuditLog).where(AuditLog.target_id == old.id))
    assert (audit.action, audit.user_id, audit.ip) == ("entry_code.revoke", user("renhe").id, "10.0.0.8")
    assert audit.detail["replaced_by"] == new.code


def test_a_closed_meeting_gets_no_new_codes(seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    meetings.change_status(user("district"), seeded.meeting, meetings.MeetingStatus.CLOSED)
    with pytest.raises(AppError) as raised:
        entry_codes.issue_missing(user("renhe"), venue)
    assert raised.value.code == "meeting_closed"
