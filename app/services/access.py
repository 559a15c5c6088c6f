"""Who may do what: roles scoped to an org or to booths (SPEC §5, §9)."""

from sqlalchemy import false, select, true

from app.errors import AppError
from app.models import Booth, EntryCode, Meeting, Role, User, Venue
from app.models.staff import booth_assignments

NO_PERMISSION = "没有权限执行此操作"

EVERY_ROLE = frozenset(Role)
ADMINS = frozenset({Role.DISTRICT_ADMIN, Role.ORG_ADMIN})
READERS = ADMINS | {Role.VIEWER}
DISTRICT = frozenset({Role.DISTRICT_ADMIN})
AT_BOOTHS = ADMINS | {Role.BOOTH_STAFF}

# Which staff roles may open each signed-in page at all (docs/security.md). Scope within a role — an org
# admin's own town, booth staff's own booths — is checked by the service the page calls.
PAGE_ROLES: dict[str, frozenset[Role]] = {
    "staff.index": EVERY_ROLE,
    "staff.logout": EVERY_ROLE,
    "staff.meeting_list": EVERY_ROLE,
    "staff.meeting_detail": READERS,
    "staff.meeting_create": ADMINS,
    "staff.meeting_edit": ADMINS,
    "staff.meeting_status": ADMINS,
    "staff.venue_create": ADMINS,
    "staff.venue_edit": ADMINS,
    "staff.booth_create": ADMINS,
    "staff.booth_edit": ADMINS,
    "staff.venue_codes_issue": ADMINS,
    "staff.code_regenerate": ADMINS,
    "staff.code_revoke": ADMINS,
    "staff.meeting_posters": ADMINS,
    "staff.venue_posters": ADMINS,
    "staff.codes_zip": ADMINS,
    # Booth staff reprint the code of the booth they stand at.
    "staff.code_image": EVERY_ROLE,
    "staff.code_poster": EVERY_ROLE,
    "staff.wxa_code": EVERY_ROLE,
    "staff.review_queue": ADMINS,
    "staff.review_detail": ADMINS,
    "staff.review_reveal": ADMINS,
    "staff.review_approve": ADMINS,
    "staff.review_batch_approve": ADMINS,
    "staff.review_return": ADMINS,
    "staff.review_reject": ADMINS,
    "staff.review_transfer": ADMINS,
    "staff.review_void": ADMINS,
    "staff.export_page": ADMINS,
    "staff.export_applications": ADMINS,
    "staff.export_member_register": ADMINS,
    "staff.card_list": ADMINS,
    "staff.cards_send_to_bank": DISTRICT,
    "staff.cards_bank_file": DISTRICT,
    "staff.cards_answer": DISTRICT,
    # The meeting field of /review, /cards and /exports suggests the meetings its user sees.
    "staff.meeting_search": ADMINS,
    "staff.ledger_list": ADMINS,
    "staff.ledger_detail": ADMINS,
    "staff.ledger_create": ADMINS,
    "staff.ledger_edit": ADMINS,
    "staff.ledger_delete": ADMINS,
    "staff.ledger_import_page": ADMINS,
    "staff.ledger_import": ADMINS,
    "staff.ledger_export": ADMINS,
    "staff.district_overview": frozenset({Role.DISTRICT_ADMIN, Role.VIEWER}),
    # The union tree (app/staff/unions.py): the district's alone.
    "staff.union_list": DISTRICT,
    "staff.union_create": DISTRICT,
    "staff.union_edit": DISTRICT,
    "staff.union_retire": DISTRICT,
    "staff.union_restore": DISTRICT,
    "staff.union_delete": DISTRICT,
    "staff.union_import": DISTRICT,
    "staff.union_template": DISTRICT,
    "staff.union_example": DISTRICT,
    # Accounts (app/staff/accounts.py): an org admin manages its own union's booth staff and viewers.
    "staff.account_list": ADMINS,
    "staff.account_create": ADMINS,
    "staff.account_edit": ADMINS,
    "staff.account_reset": ADMINS,
    "staff.account_deactivate": ADMINS,
    "staff.account_reactivate": ADMINS,
    "staff.booth_accounts_import": ADMINS,
    "staff.booth_accounts_template": ADMINS,
    "staff.password_change": EVERY_ROLE,
    # Setting up a day at scale (app/staff/day_setup.py).
    "staff.meeting_copy": ADMINS,
    "staff.venues_import": ADMINS,
    "staff.venues_template": ADMINS,
    "staff.booth_assign": ADMINS,
    "staff.booth_unassign": ADMINS,
    "staff.booth_pass_issue": ADMINS,
    "staff.booth_pass_revoke": ADMINS,
    "staff.booth_passes_sheet": ADMINS,
    "staff.venue_display_links": ADMINS,
    "staff.audit_log": DISTRICT,
    "reports.summary": READERS,
    "reports.summary_xlsx": READERS,
    "display.display_link_issue": ADMINS,
    "display.display_link_revoke": ADMINS,
    "booth.my_booths": AT_BOOTHS,
    "booth.console": AT_BOOTHS,
    "booth.tally": AT_BOOTHS,
    "booth.tally_undo": AT_BOOTHS,
    "booth.lookup": AT_BOOTHS,
    "booth.lookup_code": AT_BOOTHS,
    "booth.lookup_void": AT_BOOTHS,
}
# Pages without a staff login: workers, the big screen (its token is the key), probes and /metrics (their own
# token), the mini-program API, and the file WeChat fetches to verify the domain of 普通链接二维码.
PUBLIC_PAGES = frozenset({
    "static", "staff.favicon", "staff.login", "booth.pass_landing", "entry.landing", "entry.privacy_notice",
    "entry.wechat_link_verification",
    "health.healthz", "health.readyz", "metrics.metrics", "display.display", "display.totals", "display.stream",
})
PUBLIC_BLUEPRINTS = ("mp.", "api-docs.")


def is_public(endpoint: str | None) -> bool:
    """A page without a staff login: there is no role to check (nor a session user to load for it)."""
    return endpoint in PUBLIC_PAGES or (endpoint or "").startswith(PUBLIC_BLUEPRINTS)


def may_open(user: User, endpoint: str | None) -> bool:
    """Whether the user's role may open the page; pages outside PAGE_ROLES are public or refused elsewhere."""
    roles = PAGE_ROLES.get(endpoint or "")
    return roles is None or user.role in roles


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
    """Booth staff tally at their assigned booths; admins who manage the venue may stand in.

    Whether the meeting still takes taps is the tally's own answer (410), so a retried tap finds its first.
    """
    if user.role is Role.BOOTH_STAFF:
        return any(assigned.id == booth.id for assigned in user.booths)
    return can_manage_venue(user, booth.venue)


def can_work_at(user: User, booth: Booth) -> bool:
    """The booth's console and its help desk: booth staff only at their booths and only while the meeting is open."""
    if user.role is Role.BOOTH_STAFF and not booth.venue.meeting.accepts_intake:
        return False
    return can_tally_at(user, booth)


def can_help_at(user: User, booth: Booth) -> bool:
    """Looking a person up by ID card needs an account of one's own: a per-booth link only counts."""
    return can_work_at(user, booth) and not user.guest


# Who manages whom (docs/security.md's role table): the district every account and the union tree; an org admin
# the booth staff and viewers of its own union, and those booth staff at its own venues.
MANAGED_BY_ORG_ADMIN = frozenset({Role.BOOTH_STAFF, Role.VIEWER})


def can_manage_unions(user: User) -> bool:
    """Creating, renaming, ordering, retiring and importing the town/street/zone unions."""
    return is_district_admin(user)


def can_manage_account(user: User, role: Role, org_id: int | None) -> bool:
    """Whether the user may create, edit, reset or (de)activate an account of this role and union."""
    if is_district_admin(user):
        return True
    return user.role is Role.ORG_ADMIN and org_id == user.org_id and role in MANAGED_BY_ORG_ADMIN


def can_see_account(user: User, account: User) -> bool:
    """The account list: the district sees everyone, an org admin its own union's people."""
    return is_district_admin(user) or (user.role is Role.ORG_ADMIN and account.org_id == user.org_id)


def may_stand_for(staff: User, host_org_id: int, organiser_org_id: int) -> bool:
    """Booth staff may stand at the booths of their own union's venues, and the organiser's at every venue."""
    return staff.role is Role.BOOTH_STAFF and staff.org_id in (host_org_id, organiser_org_id)


def may_stand_at(staff: User, booth: Booth) -> bool:
    return may_stand_for(staff, booth.venue.host_org_id, booth.venue.meeting.organiser_org_id)


def can_assign_at(user: User, booth: Booth) -> bool:
    """Assigning booth staff to a booth is managing its venue."""
    return can_manage_venue(user, booth.venue)


def can_read_district(user: User) -> bool:
    """The district overview and KPIs: district admins and the district's own viewers (a town's read their town)."""
    return is_district_admin(user) or (user.role is Role.VIEWER and sees_every_meeting(user))


def sees_every_meeting(user: User) -> bool:
    """District roles: the district admin and the district union's own accounts (its viewers)."""
    return is_district_admin(user) or (user.org is not None and user.org.parent_id is None)


def can_see_meeting(user: User, meeting: Meeting) -> bool:
    """A meeting's pages and numbers: booth staff those they stand at (their console's feed); district roles
    every meeting; a town's admins and viewers those its union organises or hosts a venue of."""
    if user.role is Role.BOOTH_STAFF:
        return any(booth.venue.meeting_id == meeting.id for booth in user.booths)
    if sees_every_meeting(user):
        return True
    return user.org_id is not None and (meeting.organiser_org_id == user.org_id
                                        or any(venue.host_org_id == user.org_id for venue in meeting.venues))


def seen_meetings(user: User):
    """can_see_meeting as a WHERE clause on Meeting, so a list finds a user's meetings in the database."""
    if user.role is Role.BOOTH_STAFF:
        return Meeting.id.in_(select(Venue.meeting_id).join(Booth).join(booth_assignments)
                              .where(booth_assignments.c.user_id == user.id))
    if sees_every_meeting(user):
        return true()
    if user.org_id is None:
        return false()
    hosting = select(Venue.meeting_id).where(Venue.host_org_id == user.org_id)
    return (Meeting.organiser_org_id == user.org_id) | Meeting.id.in_(hosting)


def can_see_venue_codes(user: User, venue: Venue) -> bool:
    """A venue's entry codes (QR, posters, the ZIP) for readers: district roles every venue's; a town's those of
    the venues it hosts and of the meetings it organises — of a district-wide day, only its own venues'."""
    if user.role not in READERS:
        return False
    if sees_every_meeting(user):
        return True
    return user.org_id is not None and user.org_id in (venue.host_org_id, venue.meeting.organiser_org_id)


def can_see_code(user: User, entry_code: EntryCode) -> bool:
    """One code's image and poster: booth staff only their own booths' codes, and only while they may work there."""
    if user.role is Role.BOOTH_STAFF:
        return entry_code.booth is not None and can_work_at(user, entry_code.booth)
    return can_see_venue_codes(user, entry_code.venue)


def can_view_summary(user: User) -> bool:
    """Day summaries are for the unions' admins and read-only viewers, not for booth phones."""
    return user.role in READERS
