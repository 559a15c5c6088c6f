"""Meeting set-up: meetings, venues, booths, and the draft → open → closed → archived lifecycle."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload, selectinload, with_expression

from app.errors import AppError
from app.extensions import db
from app.models import Booth, BoothKind, Meeting, MeetingKind, MeetingStatus, Org, User, Venue, VenueRole
from app.models.base import utcnow
from app.models.staff import booth_assignments
from app.services import access, audit, paging
from app.services.intake import identity
from app.services.local_time import now_in_shanghai

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
    name: str = ""  # 会场名称, unique in the meeting; empty: named after its place


@dataclass
class BoothFields:
    kind: BoothKind
    name: str


def create_meeting(user: User, fields: MeetingFields) -> Meeting:
    """Create a draft meeting; an org admin may only organise for its own org."""
    meeting = new_draft(user, fields)
    db.session.commit()
    return meeting


def new_draft(user: User, fields: MeetingFields) -> Meeting:
    access.require(access.can_create_meeting(user))
    if not access.is_district_admin(user):
        access.require(fields.organiser_org_id == user.org_id)
    organiser = db.session.get(Org, fields.organiser_org_id)
    if organiser is None or organiser.is_retired:
        raise AppError("union_retired", "主办工会不存在或已撤销", 422, {"organiser_org_id": "请选择在用的工会"})
    meeting = Meeting(**vars(fields), status=MeetingStatus.DRAFT)
    db.session.add(meeting)
    return meeting


@dataclass
class MeetingCopy:
    meeting: Meeting
    skipped_venues: list[str]  # hosted by a union retired since, or one the user may not set up


def copy_meeting(user: User, source: Meeting, fields: MeetingFields) -> MeetingCopy:
    """A new draft with the source's venues, booths and booth staff; never its codes, scans, links or applications."""
    meeting = new_draft(user, fields)
    venues = db.session.scalars(select(Venue).where(Venue.meeting_id == source.id).order_by(Venue.id)
                                .options(selectinload(Venue.booths), joinedload(Venue.host_org))).all()
    copied, skipped, booth_of = [], [], {}
    for venue in venues:
        if venue.host_org.is_retired or not access.can_add_venue(user, venue.host_org_id):
            skipped.append(venue.name)
            continue
        twin = Venue(meeting=meeting, name=venue.name, role=venue.role, host_org_id=venue.host_org_id,
                     place_name=venue.place_name, address=venue.address)
        twin.booths = [Booth(kind=booth.kind, name=booth.name) for booth in venue.booths]
        booth_of.update({booth.id: new for booth, new in zip(venue.booths, twin.booths, strict=True)})
        copied.append(twin)
    db.session.add_all(copied)
    db.session.flush()
    copy_assignments(booth_of, meeting.organiser_org_id)
    audit.record(user, "meeting.copy", "meeting", meeting.id, {"source_meeting_id": source.id})
    db.session.commit()
    return MeetingCopy(meeting, skipped)


def copy_assignments(booth_of: dict[int, Booth], organiser_org_id: int) -> None:
    """The staff of the old booths at the new ones: accounts still active and still allowed there."""
    rows = db.session.execute(
        select(booth_assignments.c.booth_id, User).join(User, User.id == booth_assignments.c.user_id)
        .where(booth_assignments.c.booth_id.in_(booth_of), User.active.is_(True), User.guest.is_(False))
    ).all()
    pairs = [{"user_id": staff.id, "booth_id": booth_of[old_id].id} for old_id, staff in rows
             if access.may_stand_for(staff, booth_of[old_id].venue.host_org_id, organiser_org_id)]
    if pairs:
        db.session.execute(insert(booth_assignments), pairs)


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
    check_venue_fields(meeting, fields, None)
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
    check_venue_fields(venue.meeting, fields, venue)
    return save_fields(venue, fields)


def check_venue_fields(meeting: Meeting, fields: VenueFields, venue: Venue | None) -> None:
    """A venue is hosted by a union in use, and its name (its place's when left empty) is its own in the meeting."""
    host = db.session.get(Org, fields.host_org_id)
    if host is None or (host.is_retired and (venue is None or venue.host_org_id != host.id)):
        raise AppError("union_retired", "承办工会不存在或已撤销", 422, {"host_org_id": "请选择在用的工会"})
    fields.name = (fields.name or fields.place_name)[:60]
    taken = select(Venue.id).where(Venue.meeting_id == meeting.id, Venue.name == fields.name)
    if venue is not None:
        taken = taken.where(Venue.id != venue.id)
    if db.session.scalar(taken) is not None:
        raise AppError("venue_name_taken", f"本沟通会已有名为「{fields.name}」的会场", 409,
                       {"name": "会场名称已被本沟通会的其他会场使用"})


def add_booth(user: User, venue: Venue, fields: BoothFields) -> Booth:
    """Add a booth to a venue the user manages."""
    access.require(access.can_manage_venue(user, venue))
    ensure_editable(venue.meeting)
    check_booth_name(venue, fields.name, None)
    booth = Booth(venue=venue, **vars(fields))
    db.session.add(booth)
    issue_codes_if_open(venue.meeting)
    db.session.commit()
    return booth


def update_booth(user: User, booth: Booth, fields: BoothFields) -> Booth:
    """Rename a booth or change its kind."""
    access.require(access.can_manage_venue(user, booth.venue))
    ensure_editable(booth.venue.meeting)
    check_booth_name(booth.venue, fields.name, booth)
    return save_fields(booth, fields)


def check_booth_name(venue: Venue, name: str, booth: Booth | None) -> None:
    if any(other.name == name and other is not booth for other in venue.booths):
        raise AppError("booth_name_taken", f"该会场已有名为「{name}」的岗位", 409,
                       {"name": "岗位名称已被该会场的其他岗位使用"})


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


@dataclass
class MeetingFilter:
    search: str = ""  # part of the title
    year: int | None = None
    held_on: date | None = None


MEETING_ORDER = paging.Order((Meeting.held_on, Meeting.id), descending=True)


def meeting_page(user: User, wanted: MeetingFilter, page: paging.PageRequest) -> paging.Page:
    """A page of the meetings the user sees (access.seen_meetings), newest first, with the total and each
    meeting's organiser and number of venues."""
    query = select(Meeting).where(access.seen_meetings(user))
    if search := identity.normalise_text(wanted.search):
        query = query.where(Meeting.title.icontains(search, autoescape=True))
    if wanted.year is not None:
        query = query.where(Meeting.held_on.between(date(wanted.year, 1, 1), date(wanted.year, 12, 31)))
    if wanted.held_on is not None:
        query = query.where(Meeting.held_on == wanted.held_on)
    venues = select(func.count(Venue.id)).where(Venue.meeting_id == Meeting.id).scalar_subquery()
    return paging.page_of(query, MEETING_ORDER, lambda meeting: (meeting.held_on, meeting.id), page,
                          load=(joinedload(Meeting.organiser_org), with_expression(Meeting.venue_count, venues)))


def meeting_years(user: User) -> list[int]:
    """The years to pick from, latest first: from the user's first meeting to this (Beijing) year or its last."""
    first, last = db.session.execute(
        select(func.min(Meeting.held_on), func.max(Meeting.held_on)).where(access.seen_meetings(user))
    ).one()
    this_year = now_in_shanghai().year
    return list(range(max(last.year if last else this_year, this_year), (first.year if first else this_year) - 1, -1))


def meeting_seen_by(user: User, meeting_id: int) -> Meeting:
    """The meeting, when the user may see it; otherwise the same 404 as a meeting that does not exist."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not access.can_see_meeting(user, meeting):
        raise AppError("meeting_not_found", "找不到该沟通会", 404)
    return meeting


def org_choices(user: User, keep: int | None = None) -> list[Org]:
    """Orgs a user may pick as organiser or venue host: those in use, and `keep` (the one a form already holds)."""
    # A retired union leaves every new choice, but a meeting or venue it already has must still save unchanged.
    query = db.select(Org).where(Org.retired_at.is_(None) | (Org.id == keep)).order_by(Org.sort_order, Org.id)
    if not access.is_district_admin(user):
        query = query.where(Org.id == user.org_id)
    return list(db.session.scalars(query))
