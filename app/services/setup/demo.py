"""The Shunyi demo: 27 town unions, a district-wide meeting open for intake, one account per role."""

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Booth,
    BoothKind,
    DisplayLink,
    Enterprise,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Org,
    Role,
    User,
    Venue,
    VenueRole,
)
from app.models.base import utcnow
from app.services.local_time import now_in_shanghai
from app.services.setup import entry_codes, union_sheet, unions

# Shunyi's 27 unions are not listed here: they come from the example sheet any district starts from
# (app/services/setup/examples/shunyi-unions.xlsx), through the same import as a real set-up.
DISTRICT = "顺义区总工会"

MEETING_TITLE = "顺义区职工沟通会"
MAIN_VENUE = ("仁和镇", "北京工字投资管理有限责任公司1号标厂", "北京市顺义区仁和镇林河大街")
SUB_VENUES = [
    ("后沙峪镇", "后沙峪镇职工服务中心", "北京市顺义区后沙峪镇"),
    ("天竺镇", "天竺综合保税区服务大厅", "北京市顺义区天竺镇"),
    ("杨镇", "杨镇工业园区", "北京市顺义区杨镇"),
    ("光明街道", "光明街道新就业形态劳动者驿站", "北京市顺义区光明街道"),
]
MAIN_BOOTHS = [
    (BoothKind.FOUND_UNION, "建会岗"),
    (BoothKind.JOIN, "入会岗"),
    (BoothKind.LEGAL, "法律咨询岗"),
    (BoothKind.CARD, "互助服务卡岗"),
]
SUB_BOOTHS = [(BoothKind.JOIN, "入会岗"), (BoothKind.CARD, "互助服务卡岗")]

DEMO_PASSWORD = "shunyi2026"
DEMO_ACCOUNTS = [
    ("district", "区总工会管理员", Role.DISTRICT_ADMIN, DISTRICT),
    ("renhe", "仁和镇工会", Role.ORG_ADMIN, "仁和镇"),
    ("tianzhu", "天竺镇工会", Role.ORG_ADMIN, "天竺镇"),
    ("booth", "仁和镇入会岗", Role.BOOTH_STAFF, "仁和镇"),
    ("viewer", "只读查看", Role.VIEWER, DISTRICT),
]


# 企业沟通台账 sample so the overview shows rates: (town, firm, industry, employees, members, has_union,
# new-form workers, new-form members). Two firms of 25+ without a union land on the 应建未建 list.
DEMO_ENTERPRISES = [
    ("仁和镇", "北京工字投资管理有限责任公司", "租赁和商务服务业", 120, 112, True, 0, 0),
    ("仁和镇", "顺义恒通物流有限公司", "交通运输、仓储和邮政业", 86, 0, False, 40, 0),
    ("仁和镇", "北京林河精密制造有限公司", "制造业", 240, 221, True, 12, 10),
    ("后沙峪镇", "后沙峪同城配送站", "交通运输、仓储和邮政业", 45, 39, True, 45, 39),
    ("天竺镇", "空港综保区跨境电商服务中心", "批发和零售业", 60, 0, False, 8, 0),
    ("天竺镇", "天竺航空食品有限公司", "制造业", 310, 290, True, 0, 0),
    ("杨镇", "杨镇农产品加工合作社", "农、林、牧、渔业", 18, 0, False, 0, 0),
    ("光明街道", "光明外卖骑手服务站", "居民服务、修理和其他服务业", 70, 66, True, 70, 66),
]


@dataclass
class DemoSummary:
    meeting: Meeting
    display_token: str
    accounts: list[tuple[str, str]]


def seed_demo() -> DemoSummary:
    """Create the demo data once; a second run finds it and changes nothing."""
    orgs = seed_orgs()
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == MEETING_TITLE))
    if meeting is None:
        meeting = seed_meeting(orgs)
    seed_accounts(orgs, meeting)
    display = db.session.scalar(select(DisplayLink).where(DisplayLink.meeting_id == meeting.id))
    if display is None:
        display = DisplayLink(token=secrets.token_urlsafe(18), meeting=meeting, label="主会场大屏")
        db.session.add(display)
    db.session.commit()
    return DemoSummary(meeting, display.token, [(a[0], a[1]) for a in DEMO_ACCOUNTS])


def seed_demo_ledger() -> int:
    """Add the sample ledger when the ledger is empty; returns how many firms were added."""
    if db.session.scalar(select(Enterprise.id).limit(1)) is not None:
        return 0
    orgs = {org.name: org for org in db.session.scalars(select(Org))}
    for town, name, industry, employees, members, has_union, new_form, new_form_members in DEMO_ENTERPRISES:
        db.session.add(
            Enterprise(
                name=name,
                town_org=orgs[town],
                industry=industry,
                employees=employees,
                members=members,
                has_union=has_union,
                new_form_workers=new_form,
                new_form_members=new_form_members,
            )
        )
    db.session.commit()
    return len(DEMO_ENTERPRISES)


def seed_orgs() -> dict[str, Org]:
    """The district and its unions, the unions read from Shunyi's example sheet; the district first."""
    district = unions.district() or unions.add_district(DISTRICT)
    # Once: a second run keeps the unions as they are, with what was renamed, reordered or retired in the web.
    if not unions.all_unions():
        union_sheet.write_sheet(union_sheet.example_sheet()).raise_for_errors()
    return {DISTRICT: district} | {org.name: org for org in unions.all_unions()}


def seed_meeting(orgs: dict[str, Org]) -> Meeting:
    meeting = Meeting(
        title=MEETING_TITLE,
        held_on=now_in_shanghai().date(),
        kind=MeetingKind.DISTRICT_DAY,
        status=MeetingStatus.OPEN,
        organiser_org=orgs[DISTRICT],
        opened_at=utcnow(),
    )
    db.session.add(meeting)
    add_demo_venue(meeting, orgs, VenueRole.MAIN, MAIN_VENUE, MAIN_BOOTHS)
    for place in SUB_VENUES:
        add_demo_venue(meeting, orgs, VenueRole.SUB, place, SUB_BOOTHS)
    db.session.flush()
    entry_codes.ensure_codes(meeting)
    return meeting


def add_demo_venue(meeting, orgs, role, place, booths) -> Venue:
    host, place_name, address = place
    venue = Venue(meeting=meeting, role=role, host_org=orgs[host], place_name=place_name, address=address)
    venue.booths = [Booth(kind=kind, name=name) for kind, name in booths]
    db.session.add(venue)
    return venue


def seed_accounts(orgs: dict[str, Org], meeting: Meeting) -> None:
    usernames = set(db.session.scalars(select(User.username)))
    for username, display_name, role, org_name in DEMO_ACCOUNTS:
        if username in usernames:
            continue
        user = User(username=username, display_name=display_name, role=role, org=orgs[org_name])
        user.set_password(DEMO_PASSWORD)
        if role is Role.BOOTH_STAFF:
            user.booths = [b for v in meeting.venues if v.role is VenueRole.MAIN for b in v.booths]
        db.session.add(user)
