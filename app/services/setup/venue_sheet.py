"""A day's venues and booths from one sheet: previewed with every row's errors, written whole or not at all.

One row per booth; the venue's columns may be left empty (or merged) on the rows after its first. A venue is
found again by its 会场名称 and a booth by its 岗位名称 within the venue, so importing the sheet again updates
what is there and adds what is new, never a duplicate. 岗位人员 adds booth staff (by username or mobile) to a
booth; taking someone off a booth is done on the meeting page.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Booth, BoothKind, Meeting, Org, User, Venue, VenueRole
from app.models.meeting import BOOTH_KIND_LABELS
from app.models.staff import booth_assignments
from app.services import access, audit
from app.services.setup import entry_codes
from app.services.setup.meetings import ensure_editable
from app.services.sheets import RowError, SheetLayout, SheetRow, read_rows, template, text

LAYOUT = SheetLayout(
    columns={
        "会场名称": "venue", "主/分会场": "role", "承办工会": "host", "地点": "place", "地址": "address",
        "岗位类型": "kind", "岗位名称": "booth", "岗位人员": "staff",
    },
    required=("会场名称", "承办工会", "地点"),
    template_hint="请先下载“会场和岗位”模板",
)
# An empty 主/分会场 is a sub-venue: a district day has one main venue and a sub-venue in every town.
ROLES = {"主会场": VenueRole.MAIN, "主": VenueRole.MAIN, "分会场": VenueRole.SUB, "分": VenueRole.SUB,
         "": VenueRole.SUB}
# A kind is written as its label (入会岗) or without the 岗 (入会); a few words staff use for them too.
KINDS = {
    **{label: BoothKind(value) for value, label in BOOTH_KIND_LABELS.items()},
    **{label.removesuffix("岗"): BoothKind(value) for value, label in BOOTH_KIND_LABELS.items()},
    "法律": BoothKind.LEGAL, "服务卡": BoothKind.CARD, "京卡": BoothKind.CARD, "综合": BoothKind.GENERAL,
}
KIND_WORDS = "、".join(label.removesuffix("岗") for label in BOOTH_KIND_LABELS.values())
STAFF_SEPARATORS = re.compile(r"[、,，;；/\s]+")
LENGTHS = {"venue": ("会场名称", 60), "place": ("地点", 120), "address": ("地址", 200), "booth": ("岗位名称", 60)}


@dataclass
class BoothPlan:
    row: int
    name: str
    kind: BoothKind
    staff: list[User]
    booth: Booth | None = None  # the booth already there, which the row updates


@dataclass
class VenuePlan:
    row: int
    name: str
    role: VenueRole
    host_org: Org
    place_name: str
    address: str
    venue: Venue | None = None
    booths: dict[str, BoothPlan] = field(default_factory=dict)


@dataclass
class VenueSheet:
    """What the sheet would do: its venues with their booths, each row's errors, and what is new."""

    venues: list[VenuePlan]
    errors: list[str]

    @property
    def counts(self) -> Counter:
        booths = [booth for venue in self.venues for booth in venue.booths.values()]
        return Counter(
            new_venues=sum(venue.venue is None for venue in self.venues),
            venues=len(self.venues),
            new_booths=sum(booth.booth is None for booth in booths),
            booths=len(booths),
            assignments=sum(len(booth.staff) for booth in booths),
        )


def template_bytes() -> bytes:
    return template("会场和岗位", LAYOUT)


def preview(user: User, meeting: Meeting, content: bytes) -> VenueSheet:
    """Read and check the sheet against the meeting without writing anything."""
    ensure_editable(meeting)
    rows = read_rows(content, LAYOUT)
    return Planner(user, meeting, rows).plan()


def import_sheet(user: User, meeting: Meeting, content: bytes, ip: str | None = None) -> VenueSheet:
    """Write the sheet's venues, booths and staff, all of them or (any row wrong) none; codes if the day is open."""
    sheet = preview(user, meeting, content)
    if sheet.errors:
        return sheet
    write(meeting, sheet)
    counts = sheet.counts
    audit.record(user, "venues.import", "meeting", meeting.id,
                 {"venues": counts["venues"], "booths": counts["booths"], "accounts": counts["assignments"]}, ip)
    db.session.commit()
    entry_codes.forget_slots()
    return sheet


class Planner:
    """Turns the rows into venue plans, with the meeting's venues, the unions and the named staff loaded once."""

    def __init__(self, user: User, meeting: Meeting, rows: list[SheetRow]):
        self.user, self.meeting, self.rows = user, meeting, rows
        self.venues = {venue.name: venue for venue in db.session.scalars(
            select(Venue).where(Venue.meeting_id == meeting.id).options(selectinload(Venue.booths)))}
        self.unions = {org.name: org for org in db.session.scalars(select(Org))}
        self.staff = named_staff({name for row in rows for name in staff_names(row.cells.get("staff"))})
        self.plans: dict[str, VenuePlan] = {}
        self.errors: list[str] = []

    def plan(self) -> VenueSheet:
        current, refused = None, False
        for row in self.rows:
            continues = not text(row.cells.get("venue"))
            if continues and refused:
                continue  # a booth row under a venue row already reported: its venue is the one at fault
            try:
                refused = not continues
                current = self.venue_of(row, current)
                refused = False
                self.add_booth(row, current)
            except RowError as error:
                self.errors.append(f"第 {row.number} 行：{error}")
        return VenueSheet(list(self.plans.values()), self.errors)

    def venue_of(self, row: SheetRow, current: VenuePlan | None) -> VenuePlan | None:
        cells = row.cells
        name = checked_text(cells, "venue")
        if not name:
            if current is None:
                raise RowError("请填写会场名称")
            return current  # a booth row under the venue above it (merged or left-empty venue cells)
        plan = VenuePlan(row.number, name, venue_role(cells), self.host_of(cells), checked_text(cells, "place"),
                         checked_text(cells, "address"), self.venues.get(name))
        if not plan.place_name:
            raise RowError("请填写地点（企业或场所名称）")
        earlier = self.plans.get(name)
        if earlier is None:
            self.check_may_set_up(plan)
            self.plans[name] = plan
            return plan
        if (earlier.role, earlier.host_org, earlier.place_name, earlier.address) != (
                plan.role, plan.host_org, plan.place_name, plan.address):
            raise RowError(f"会场「{name}」在第 {earlier.row} 行已出现，但这一行的会场信息不同（重复的会场？）")
        return earlier

    def host_of(self, cells: dict) -> Org:
        name = text(cells.get("host"))
        org = self.unions.get(name) or self.unions.get(f"{name}镇") or self.unions.get(f"{name}街道")
        if not name:
            raise RowError("请填写承办工会")
        if org is None:
            raise RowError(f"找不到承办工会「{name}」（请使用“工会”页中的名称）")
        if org.is_retired:
            raise RowError(f"承办工会「{org.name}」已撤销，不能承办新的会场")
        return org

    def check_may_set_up(self, plan: VenuePlan) -> None:
        allowed = (access.can_manage_venue(self.user, plan.venue) if plan.venue
                   else access.can_add_venue(self.user, plan.host_org.id))
        if not allowed or not access.can_add_venue(self.user, plan.host_org.id):
            raise RowError(f"您不能设置{plan.host_org.name}承办的会场「{plan.name}」")

    def add_booth(self, row: SheetRow, venue: VenuePlan) -> None:
        cells = row.cells
        kind_word, name = text(cells.get("kind")), checked_text(cells, "booth")
        if not kind_word and not name:
            if staff_names(cells.get("staff")):
                raise RowError("有岗位人员却没有岗位，请填写岗位类型和岗位名称")
            return  # a venue without booths (yet)
        kind = KINDS.get(kind_word)
        if kind is None:
            raise RowError(f"未知的岗位类型「{kind_word}」（可填：{KIND_WORDS}）" if kind_word else "请填写岗位类型")
        name = name or BOOTH_KIND_LABELS[kind.value]
        if name in venue.booths:
            earlier = venue.booths[name].row
            raise RowError(f"会场「{venue.name}」的岗位「{name}」在第 {earlier} 行已出现（重复的岗位？）")
        existing = next((b for b in venue.venue.booths if b.name == name), None) if venue.venue else None
        venue.booths[name] = BoothPlan(row.number, name, kind, self.staff_of(cells, venue), existing)

    def staff_of(self, cells: dict, venue: VenuePlan) -> list[User]:
        people = []
        for name in staff_names(cells.get("staff")):
            person = self.staff.get(name)
            if person is None:
                raise RowError(f"找不到岗位人员账号「{name}」（填用户名或手机号；可先批量创建岗位账号）")
            if not access.may_stand_for(person, venue.host_org.id, self.meeting.organiser_org_id):
                union = person.org.name if person.org else "其他单位"
                raise RowError(f"「{person.display_name}」是{union}的{person.role_label}，"
                               f"不能安排到{venue.host_org.name}承办的会场")
            people.append(person)
        return people


def checked_text(cells: dict, key: str) -> str:
    value = text(cells.get(key))
    label, limit = LENGTHS[key]
    if len(value) > limit:
        raise RowError(f"{label}不能超过 {limit} 个字")
    return value


def venue_role(cells: dict) -> VenueRole:
    word = text(cells.get("role"))
    if word not in ROLES:
        raise RowError(f"主/分会场应填写「主会场」或「分会场」，实际为「{word}」")
    return ROLES[word]


def staff_names(value) -> list[str]:
    return [name for name in STAFF_SEPARATORS.split(text(value)) if name]


def named_staff(names: set[str]) -> dict[str, User]:
    """Active, non-guest accounts by username or mobile, in one query."""
    if not names:
        return {}
    query = select(User).where(User.active.is_(True), User.guest.is_(False),
                               or_(User.username.in_(names), User.mobile.in_(names)))
    found = {}
    for user in db.session.scalars(query.options(selectinload(User.org))):
        found[user.username] = user
        if user.mobile:
            found.setdefault(user.mobile, user)
    return found


def write(meeting: Meeting, sheet: VenueSheet) -> None:
    """Venues and booths added or updated in one flush, the new assignments in one INSERT."""
    staffed: list[tuple[list[User], Booth]] = []
    for plan in sheet.venues:
        venue = plan.venue or Venue(meeting=meeting, name=plan.name)
        venue.role, venue.host_org, venue.place_name, venue.address = (
            plan.role, plan.host_org, plan.place_name, plan.address)
        db.session.add(venue)
        for booth_plan in plan.booths.values():
            booth = booth_plan.booth or Booth(venue=venue, name=booth_plan.name)
            booth.kind = booth_plan.kind
            db.session.add(booth)
            staffed.append((booth_plan.staff, booth))
    db.session.flush()
    add_assignments([(person.id, booth.id) for people, booth in staffed for person in people])
    if meeting.accepts_intake:
        entry_codes.ensure_codes(meeting)


def add_assignments(pairs: list[tuple[int, int]]) -> None:
    """The (user, booth) pairs not assigned yet, in one INSERT."""
    if not pairs:
        return
    booth_ids = {booth_id for _, booth_id in pairs}
    existing = set(db.session.execute(select(booth_assignments.c.user_id, booth_assignments.c.booth_id)
                                      .where(booth_assignments.c.booth_id.in_(booth_ids))).tuples())
    new = sorted(set(pairs) - existing)
    if new:
        db.session.execute(insert(booth_assignments), [{"user_id": u, "booth_id": b} for u, b in new])

