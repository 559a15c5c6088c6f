"""A meeting's booth accounts from one sheet (姓名, 手机号, 会场名称, 岗位名称): previewed with each bad row named, then
created and assigned all together (or not at all), each new account with a one-time password for its slip."""

import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.errors import AppError
from app.extensions import db
from app.models import Booth, Meeting, Org, Role, User, Venue
from app.services import access, audit, sheets
from app.services.intake import identity
from app.services.setup import booth_staff, meetings, passwords
from app.services.sheets import RowError, SheetLayout, SheetLimits

MAX_ROWS = 2000  # a district day is ≈ 27 venues × 5 booths × a few volunteers: 2,000 is several days' worth
LAYOUT = SheetLayout(
    columns={"姓名": "name", "手机号": "mobile", "会场名称": "venue", "岗位名称": "booth"},
    required=("姓名", "手机号", "会场名称", "岗位名称"),
    template_hint="请下载岗位账号模板，按表头填写",
    limits=SheetLimits(rows=MAX_ROWS),
)
TEMPLATE_EXAMPLE = [["张三", "13800000000", "（会场名称，与沟通会页面一致）", "入会岗"]]


@dataclass
class PlannedRow:
    number: int
    account: User  # an existing booth account, reused; or a new one, not yet in the session
    booth: Booth


@dataclass
class Plan:
    """What a sheet would do: its rows, or what is wrong with them. Building it writes nothing."""

    meeting: Meeting
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_accounts: list[User] = field(default_factory=list)

    @property
    def reused_accounts(self) -> int:
        return len({row.account.username for row in self.rows}) - len(self.new_accounts)


@dataclass
class Slip:
    """One account's first-sign-in slip, in plain text (written before the commit expires the rows it came from)."""

    name: str
    username: str
    password: str | None  # None for a reused account, which keeps its own
    places: list[tuple[str, str]]  # (会场名称, 岗位名称) of each row that put it at a booth


def template() -> bytes:
    return sheets.template("岗位账号", LAYOUT, TEMPLATE_EXAMPLE)


def check_meeting(actor: User, meeting: Meeting) -> None:
    """The sheet page is for admins managing at least one venue of a meeting that is not over."""
    access.require(any(access.can_manage_venue(actor, venue) for venue in meeting.venues))
    meetings.ensure_editable(meeting)


def plan_import(actor: User, meeting: Meeting, content: bytes) -> Plan:
    """Read and check every row against the meeting's venues and booths and the accounts that exist (no writes)."""
    check_meeting(actor, meeting)
    rows = sheets.read_rows(content, LAYOUT)
    mobiles = {identity.normalise_mobile(sheets.text(row.cells.get("mobile"))) for row in rows}
    checker = RowChecker(actor, meeting, booths_of(meeting), accounts_named(mobiles))
    plan = Plan(meeting)
    for row in rows:
        try:
            plan.rows.append(checker.planned(row))
        except RowError as error:
            plan.errors.append(f"第 {row.number} 行：{error}")
    plan.new_accounts = list(checker.new_accounts.values())
    if not rows:
        plan.errors.append("表格中没有数据行")
    return plan


def booths_of(meeting: Meeting) -> dict[str, tuple[Venue, dict[str, Booth]]]:
    """Each venue of the meeting by its 会场名称, with its booths by 岗位名称 (two queries for the whole meeting)."""
    venues = db.session.scalars(select(Venue).where(Venue.meeting_id == meeting.id)
                                .options(joinedload(Venue.host_org), selectinload(Venue.booths)))
    return {venue.name: (venue, {booth.name: booth for booth in venue.booths}) for venue in venues}


def accounts_named(usernames: set[str]) -> dict[str, User]:
    """The accounts whose username is one of the sheet's mobiles, with their union and booths (three queries)."""
    query = select(User).where(User.username.in_(usernames)).options(joinedload(User.org), selectinload(User.booths))
    return {user.username: user for user in db.session.scalars(query)}


class RowChecker:
    """Checks rows one by one, remembering what earlier rows of the sheet said about the same mobile and booth."""

    def __init__(self, actor: User, meeting: Meeting, venues: dict, existing: dict[str, User]):
        self.actor, self.meeting, self.venues, self.existing = actor, meeting, venues, existing
        self.new_accounts: dict[str, User] = {}
        self.first_row_of: dict[str, int] = {}
        self.seen: dict[tuple[str, int], int] = {}

    def planned(self, row: sheets.SheetRow) -> PlannedRow:
        name = self.name_of(row)
        mobile = self.mobile_of(row)
        booth = self.booth_of(row)
        earlier = self.seen.setdefault((mobile, booth.id), row.number)
        if earlier != row.number:
            raise RowError(f"与第 {earlier} 行重复（同一手机号、同一岗位）")
        account = self.account_for(mobile, name, booth, row.number)
        try:
            booth_staff.check_may_stand_at(account, booth)
        except AppError as error:
            raise RowError(error.message) from error
        return PlannedRow(row.number, account, booth)

    @staticmethod
    def name_of(row: sheets.SheetRow) -> str:
        name = sheets.text(row.cells.get("name"))
        if not name:
            raise RowError("请填写姓名")
        if len(name) > 40:
            raise RowError("姓名不能超过 40 个字")
        return name

    @staticmethod
    def mobile_of(row: sheets.SheetRow) -> str:
        mobile = identity.normalise_mobile(sheets.text(row.cells.get("mobile")))
        try:
            return identity.check_mobile(mobile)
        except identity.IdentityError as error:
            raise RowError(f"{error}（{mobile}）" if mobile else str(error)) from error

    def booth_of(self, row: sheets.SheetRow) -> Booth:
        venue_name, booth_name = (sheets.text(row.cells.get(key)) for key in ("venue", "booth"))
        if venue_name not in self.venues:
            raise RowError(f"本场沟通会没有会场「{venue_name}」" if venue_name else "请填写会场名称")
        venue, booths = self.venues[venue_name]
        if not access.can_manage_venue(self.actor, venue):
            raise RowError(f"会场「{venue_name}」由{venue.host_org.name}承办，您无权为它安排人员")
        if booth_name not in booths:
            raise RowError(f"会场「{venue_name}」没有岗位「{booth_name}」" if booth_name else "请填写岗位名称")
        return booths[booth_name]

    def account_for(self, mobile: str, name: str, booth: Booth, number: int) -> User:
        """The mobile's account: the one that exists, or the one its first row creates in the venue's union."""
        first = self.first_row_of.setdefault(mobile, number)
        account = self.existing.get(mobile) or self.new_accounts.get(mobile)
        if account is not None and mobile in self.new_accounts and account.display_name != name:
            raise RowError(f"手机号 {mobile} 在第 {first} 行的姓名是「{account.display_name}」，同一手机号应为同一人")
        if account is None:
            account = self.new_account(mobile, name, booth.venue.host_org)
        if account.org is not None and account.org.is_retired:
            raise RowError(f"手机号 {mobile} 的账号所属工会「{account.org.name}」已撤销")
        return account

    def new_account(self, mobile: str, name: str, union: Org) -> User:
        if union.is_retired:
            raise RowError(f"承办工会「{union.name}」已撤销，不能为它新建账号")
        access.require(access.can_manage_account(self.actor, Role.BOOTH_STAFF, union.id))
        # Not added to the session: the preview writes nothing; create_accounts adds the new ones all at once.
        # Every attribute the checks read is set here: column defaults would only arrive with the INSERT.
        account = User(username=mobile, display_name=name, mobile=mobile, role=Role.BOOTH_STAFF, org=union,
                       org_id=union.id, booths=[], active=True, guest=False)
        self.new_accounts[mobile] = account
        return account


def create_accounts(actor: User, plan: Plan, ip: str | None = None) -> list[Slip]:
    """Create the new accounts with one-time passwords and assign every row, in one transaction; their slips."""
    if plan.errors:
        raise AppError("sheet_has_errors", "表格中有错误，请改正后重新上传", 422)
    one_time = {}
    for account in plan.new_accounts:
        one_time[account.username] = passwords.issue_one_time_password(account)
        time.sleep(0)  # under gevent, a turn for the worker's other requests between two password hashes
    db.session.add_all(plan.new_accounts)
    try:
        db.session.flush()
        assigned = sum(booth_staff.add_assignment(actor, row.booth, row.account) for row in plan.rows)
        audit.record(actor, "user.bulk_create", "meeting", plan.meeting.id,
                     {"created": len(plan.new_accounts), "reused": plan.reused_accounts, "assigned": assigned}, ip)
        slips = slips_of(plan, one_time)
        db.session.commit()
    except IntegrityError as exc:
        # Someone created one of these usernames between the preview and now: nothing of the sheet is kept.
        db.session.rollback()
        raise AppError("username_taken", "有手机号刚被用于创建其他账号，请重新上传表格预览", 409) from exc
    return slips


def slips_of(plan: Plan, one_time: dict[str, str]) -> list[Slip]:
    """One slip per account, in the sheet's order, listing each booth its rows put it at."""
    slips: dict[str, Slip] = {}
    for row in plan.rows:
        account = row.account
        slip = slips.setdefault(account.username, Slip(account.display_name, account.username,
                                                       one_time.get(account.username), []))
        slip.places.append((row.booth.venue.name, row.booth.name))
    return list(slips.values())
