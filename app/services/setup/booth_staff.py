"""Booth staff at their booths: who may be assigned where, assigning and unassigning (audited)."""

from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Booth, Role, User
from app.services import access, audit


def staff_choices(user: User, booth: Booth) -> list[User]:
    """The active booth staff the user may put at this booth: of its venue's union and of the organiser."""
    access.require(access.can_assign_at(user, booth))
    venue = booth.venue
    query = select(User).where(
        User.role == Role.BOOTH_STAFF, User.active.is_(True), User.guest.is_(False),
        User.org_id.in_({venue.host_org_id, venue.meeting.organiser_org_id}),
    )
    return list(db.session.scalars(query.order_by(User.display_name, User.id)))


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
