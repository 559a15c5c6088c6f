"""Who may do what: roles scoped to an org or to booths (SPEC §5, §9)."""

from app.errors import AppError
from app.models import Booth, Meeting, Role, User, Venue

NO_PERMISSION = "没有权限执行此操作"


def is_district_admin(user: User) -> bool:
    return user.role is Role.DISTRICT_ADMIN


def can_create_meeting(user: User) -> bool:
    return user.role in (Role.DISTRICT_ADMIN, Role.ORG_ADMIN)


def can_edit_meeting(user: User, meeting: Meeting) -> bool:
    if is_district_admin(user):
        return True
    return user.role is Role.ORG_ADMIN and meeting.organiser_org_id == user.org_id


def can_manage_venue(user: User, venue: Venue) -> bool:
    """District admins manage every venue; an org admin only the venues its own org hosts."""
    if is_district_admin(user):
        return True
    return user.role is Role.ORG_ADMIN and venue.host_org_id == user.org_id


def can_add_venue(user: User, host_org_id: int) -> bool:
    """An org admin may add its own town's sub-venue to any meeting; the district may add any."""
    if is_district_admin(user):
        return True
    return user.role is Role.ORG_ADMIN and host_org_id == user.org_id


def require(allowed: bool) -> None:
    if not allowed:
        raise AppError("forbidden", NO_PERMISSION, 403)


def can_review(user: User) -> bool:
    """Town unions review what is routed to them; the district reviews everything."""
    return user.role in (Role.DISTRICT_ADMIN, Role.ORG_ADMIN)


def can_see_org(user: User, org_id: int) -> bool:
    """District admins see every org's records; an org admin only its own org's."""
    return is_district_admin(user) or (user.role is Role.ORG_ADMIN and user.org_id == org_id)


def can_tally_at(user: User, booth: Booth) -> bool:
    """Booth staff tally at their assigned booths; admins who manage the venue may stand in."""
    if user.role is Role.BOOTH_STAFF:
        return any(assigned.id == booth.id for assigned in user.booths)
    return can_manage_venue(user, booth.venue)


def can_read_district(user: User) -> bool:
    """The district overview and KPIs: district admins and the read-only viewers."""
    return user.role in (Role.DISTRICT_ADMIN, Role.VIEWER)


def can_view_summary(user: User) -> bool:
    """Day summaries are for the unions' admins and read-only viewers, not for booth phones."""
    return user.role in (Role.DISTRICT_ADMIN, Role.ORG_ADMIN, Role.VIEWER)
