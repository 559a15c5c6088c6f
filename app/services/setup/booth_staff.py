"""Booth staff at their booths: who may be assigned where, assigning and unassigning (audited)."""

from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Booth, Meeting, Role, User, Venue
from app.models.staff import booth_assignments
from app.services import access, audit


def staff_choices(user: User, booth: Booth) -> list[User]:
    """The active booth staff the user may put at this booth: of its venue's union and of the organiser."""
    access.require(access.can_assign_at(user, booth))
    return choices_at(booth, choices_by_union(booth.venue.meeting))


def choices_at(booth: Booth, by_union: dict[int, list[User]]) -> list[User]:
    """Of choices_by_union(), those who may stand at this booth: its venue's union's and the organiser's."""
    unions = dict.fromkeys([booth.venue.host_org_id, booth.venue.meeting.organiser_org_id])
    return [user for union in unions for user in by_union.get(union, [])]


def add_assignment(user: User, booth: Booth, staff: User) -> bool:
    """Put a booth staff account at a booth (no commit); False when it already stands there."""
    access.require(access.can_assign_at(user, booth))
    check_may_stand_at(staff, booth)
    if any(assigned.id == booth.id for assigned in staff.booths):
        return False
    staff.booths.append(booth)
    audit.record(user, "booth.assign", "booth", booth.id, {"staff_id": staff.id, "username": staff.username})
    return True


def check_may_stand_at(staff: User, booth: Booth) -> None:
    if staff.role is not Role.BOOTH_STAFF or staff.guest or not staff.active:
        raise AppError("not_booth_staff", f"「{staff.display_name}」不是可用的岗位工作人员账号", 422,
                       {"staff": "请选择岗位工作人员账号"})
    if not access.may_stand_at(staff, booth):
        union = staff.org.name if staff.org else "其他单位"
        raise AppError("staff_of_another_union",
                       f"「{staff.display_name}」是{union}的岗位工作人员，不能安排到{booth.venue.host_org.name}的岗位",
                       422, {"staff": "只能安排本会场承办工会（或主办单位）的岗位工作人员"})


def assign(user: User, booth: Booth, staff: User) -> None:
    """Put a booth staff account at a booth (its union's, or the organiser's); audited."""
    add_assignment(user, booth, staff)
    db.session.commit()


def unassign(user: User, booth: Booth, staff: User) -> None:
    """Take a booth staff account off a booth; its console for that booth closes at its next request."""
    access.require(access.can_assign_at(user, booth))
    if any(assigned.id == booth.id for assigned in staff.booths):
        staff.booths.remove(booth)
        audit.record(user, "booth.unassign", "booth", booth.id, {"staff_id": staff.id, "username": staff.username})
    db.session.commit()


def assigned_staff(meeting: Meeting) -> dict[int, list[User]]:
    """Who stands at each booth of the meeting (guests behind links left out), in one query."""
    query = (select(booth_assignments.c.booth_id, User).join(User, User.id == booth_assignments.c.user_id)
             .join(Booth, Booth.id == booth_assignments.c.booth_id).join(Venue, Venue.id == Booth.venue_id)
             .where(Venue.meeting_id == meeting.id, User.guest.is_(False)).order_by(User.display_name, User.id))
    staff: dict[int, list[User]] = {}
    for booth_id, user in db.session.execute(query):
        staff.setdefault(booth_id, []).append(user)
    return staff


def choices_by_union(meeting: Meeting) -> dict[int, list[User]]:
    """The active booth staff of every union hosting a venue, and of the organiser, by union: one query."""
    unions = {venue.host_org_id for venue in meeting.venues} | {meeting.organiser_org_id}
    query = select(User).where(User.role == Role.BOOTH_STAFF, User.active.is_(True), User.guest.is_(False),
                               User.org_id.in_(unions)).order_by(User.display_name, User.id)
    choices: dict[int, list[User]] = {}
    for user in db.session.scalars(query):
        choices.setdefault(user.org_id, []).append(user)
    return choices
