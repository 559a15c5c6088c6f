"""Meeting set-up: meetings, venues, booths, and the draft → open → closed → archived lifecycle."""

from dataclasses import dataclass
from datetime import date

from app.errors import AppError
from app.extensions import db
from app.models import Booth, BoothKind, Meeting, MeetingKind, MeetingStatus, Org, User, Venue, VenueRole
from app.models.base import utcnow
from app.services import access

# Closing is final for intake: there is no edge back to OPEN.
from app.services.setup import entry_codes

TRANSITIONS = {
    MeetingStatus.DRAFT: {MeetingStatus.OPEN},
    MeetingStatus.OPEN: {MeetingStatus.CLOSED},
    MeetingStatus.CLOSED: {MeetingStatus.ARCHIVED},
    MeetingStatus.ARCHIVED: set(),
}


@dataclass
class MeetingFields:
    title: str
    held_on: date
    kind: MeetingKind
    organiser_org_id: int


@dataclass
class VenueFields:
    role: VenueRole
    host_org_id: int
    place_name: str
    address: str


@dataclass
class BoothFields:
    kind: BoothKind
    name: str


def create_meeting(user: User, fields: MeetingFields) -> Meeting:
    """Create a draft meeting; an org admin may only organise for its own org."""
    access.require(access.can_create_meeting(user))
    if not access.is_district_admin(user):
        access.require(fields.organiser_org_id == user.org_id)
    meeting = Meeting(**vars(fields), status=MeetingStatus.DRAFT)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def update_meeting(user: User, meeting: Meeting, fields: MeetingFields) -> Meeting:
    """Edit a meeting's title, date, kind and organiser."""
    access.require(access.can_edit_meeting(user, meeting))
    if not access.is_district_admin(user):
        access.require(fields.organiser_org_id == user.org_id)
    return save_fields(meeting, fields)


def change_status(user: User, meeting: Meeting, target: MeetingStatus) -> Meeting:
    """Move a meeting along its lifecycle; opening issues entry codes for every venue and booth."""
    access.require(access.can_edit_meeting(user, meeting))
    if target not in TRANSITIONS[meeting.status]:
        raise AppError(
            "invalid_transition",
            f"沟通会当前为「{meeting.status_label}」，不能改为该状态（已结束的沟通会不能重新开放）",
            409,
        )
    meeting.status = target
    if target is MeetingStatus.OPEN:
        meeting.opened_at = utcnow()
        entry_codes.ensure_codes(meeting)
    elif target is MeetingStatus.CLOSED:
        meeting.closed_at = utcnow()
    db.session.commit()
    entry_codes.forget_slots()
    return meeting


def add_venue(user: User, meeting: Meeting, fields: VenueFields) -> Venue:
    """Add a venue hosted by a town union; an org admin only for its own org."""
    access.require(access.can_add_venue(user, fields.host_org_id))
    ensure_editable(meeting)
    venue = Venue(meeting=meeting, **vars(fields))
    db.session.add(venue)
    issue_codes_if_open(meeting)
    db.session.commit()
    return venue


def update_venue(user: User, venue: Venue, fields: VenueFields) -> Venue:
    """Edit a venue; an org admin cannot move a venue to another org."""
    access.require(access.can_manage_venue(user, venue))
    access.require(access.can_add_venue(user, fields.host_org_id))
    ensure_editable(venue.meeting)
    return save_fields(venue, fields)


def add_booth(user: User, venue: Venue, fields: BoothFields) -> Booth:
    """Add a booth to a venue the user manages."""
    access.require(access.can_manage_venue(user, venue))
    ensure_editable(venue.meeting)
    booth = Booth(venue=venue, **vars(fields))
    db.session.add(booth)
    issue_codes_if_open(venue.meeting)
    db.session.commit()
    return booth


def update_booth(user: User, booth: Booth, fields: BoothFields) -> Booth:
    """Rename a booth or change its kind."""
    access.require(access.can_manage_venue(user, booth.venue))
    ensure_editable(booth.venue.meeting)
    return save_fields(booth, fields)


def save_fields(target, fields):
    for name, value in vars(fields).items():
        setattr(target, name, value)
    db.session.commit()
    entry_codes.forget_slots()  # a title, place, host org or booth name the joins' answers carry
    return target


def ensure_editable(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.ARCHIVED):
        raise AppError("meeting_closed", "沟通会已结束，会场和岗位不能再修改", 409)


def issue_codes_if_open(meeting: Meeting) -> None:
    if meeting.status is MeetingStatus.OPEN:
        db.session.flush()
        entry_codes.ensure_codes(meeting)


def visible_meetings(user: User) -> list[Meeting]:
    """Meetings a user sees: all for district roles, those touching its org for an org admin."""
    query = db.select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    if user.org_id and not access.is_district_admin(user) and user.org and user.org.parent_id:
        touching = db.select(Venue.meeting_id).where(Venue.host_org_id == user.org_id)
        query = query.where((Meeting.organiser_org_id == user.org_id) | Meeting.id.in_(touching))
    return list(db.session.scalars(query))


def org_choices(user: User) -> list[Org]:
    """Orgs a user may pick as organiser or venue host."""
    query = db.select(Org).order_by(Org.sort_order, Org.id)
    if not access.is_district_admin(user):
        query = query.where(Org.id == user.org_id)
    return list(db.session.scalars(query))
