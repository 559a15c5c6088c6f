"""Copying a past meeting: its venues, booths and booth staff come along as a new draft; nothing of its day does."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import Booth, DisplayLink, EntryCode, MeetingKind, MeetingStatus, MembershipApplication, User, Venue
from app.models.base import utcnow
from app.models.staff import booth_assignments
from app.services.setup import booth_passes, meetings
from app.services.setup.meetings import MeetingFields
from tests.factories import account, org_named


def fields_for(organiser: str, title: str = "2027年春季职工沟通会") -> MeetingFields:
    return MeetingFields(title, date(2027, 4, 1), MeetingKind.DISTRICT_DAY, org_named(organiser).id)


def layout(meeting) -> list[tuple]:
    return [(v.name, v.role, v.host_org_id, v.place_name, v.address, [(b.name, b.kind) for b in v.booths])
            for v in meeting.venues]


def test_a_copy_is_a_draft_with_the_same_venues_booths_and_booth_staff(seeded):
    source = seeded.meeting
    copy = meetings.copy_meeting(account("district"), source, fields_for("顺义区总工会")).meeting
    assert (copy.status, copy.title, copy.held_on) == (MeetingStatus.DRAFT, "2027年春季职工沟通会", date(2027, 4, 1))
    assert layout(copy) == layout(source)
    booth_user = account("booth")
    assert sorted(b.name for b in booth_user.booths if b.venue.meeting_id == copy.id) == sorted(
        b.name for b in booth_user.booths if b.venue.meeting_id == source.id)


def test_a_copy_carries_no_codes_links_passes_or_applications(seeded):
    booth_passes.issue(account("district"), seeded.meeting.venues[0].booths[1])
    copy = meetings.copy_meeting(account("district"), seeded.meeting, fields_for("顺义区总工会")).meeting
    for model in (EntryCode, DisplayLink, MembershipApplication):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.meeting_id == copy.id)) == 0
    assert booth_passes.active_passes(copy) == {}
    guests_at_copy = (select(func.count()).select_from(booth_assignments).join(User).join(Booth).join(Venue)
                      .where(Venue.meeting_id == copy.id, User.guest.is_(True)))
    assert db.session.scalar(guests_at_copy) == 0


def test_venues_of_a_union_retired_since_are_left_out_and_named(seeded):
    org_named("杨镇").retired_at = utcnow()
    db.session.commit()
    copy = meetings.copy_meeting(account("district"), seeded.meeting, fields_for("顺义区总工会"))
    assert copy.skipped_venues == ["杨镇工业园区"]
    assert "杨镇工业园区" not in [v.name for v in copy.meeting.venues]


def test_an_org_admin_copies_only_its_own_venues_into_its_own_meeting(seeded):
    copy = meetings.copy_meeting(account("renhe"), seeded.meeting, fields_for("仁和镇", "仁和镇沟通会"))
    assert [v.host_org.name for v in copy.meeting.venues] == ["仁和镇"]
    assert len(copy.skipped_venues) == len(seeded.meeting.venues) - 1


def test_an_org_admin_cannot_copy_into_another_unions_meeting(seeded):
    with pytest.raises(AppError) as refused:
        meetings.copy_meeting(account("renhe"), seeded.meeting, fields_for("天竺镇"))
    assert refused.value.status == 403


def test_booth_staff_moved_to_another_union_since_stay_behind(seeded):
    booth_user = account("booth")
    booth_user.org = org_named("天竺镇")
    db.session.commit()
    copy = meetings.copy_meeting(account("district"), seeded.meeting, fields_for("仁和镇", "仁和镇沟通会")).meeting
    assert [b for b in account("booth").booths if b.venue.meeting_id == copy.id] == []
