"""A meeting's booth accounts from one sheet: every bad row named, all or nothing, re-importable, a few queries."""

import pytest
from sqlalchemy import event, func, select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, Role, User
from app.models.base import utcnow
from app.models.staff import booth_assignments
from app.services.setup import accounts, booth_accounts, demo, passwords
from app.services.setup.accounts import AccountFields
from app.services.xlsx import workbook_bytes
from tests.factories import account, org_named

HEADER = ["姓名", "手机号", "会场名称", "岗位名称"]
MAIN = demo.MAIN_VENUE[1]  # hosted by 仁和镇
TIANZHU = next(place for host, place, _ in demo.SUB_VENUES if host == "天竺镇")


def sheet(rows: list[list]) -> bytes:
    return workbook_bytes("岗位账号", HEADER, rows)


def plan(rows: list[list], username: str = "district") -> booth_accounts.Plan:
    return booth_accounts.plan_import(account(username), demo_meeting(), sheet(rows))


def demo_meeting():
    return account("booth").booths[0].venue.meeting


def written() -> tuple[int, int, int]:
    """Accounts, booth assignments and audit rows: what an import may add."""
    return tuple(db.session.scalar(select(func.count()).select_from(table))
                 for table in (User.__table__, booth_assignments, AuditLog.__table__))


GOOD_ROWS = [["张三", "139 0000 0001", MAIN, "入会岗"], ["张三", "13900000001", MAIN, "法律咨询岗"],
             ["李四", "+8613900000002", TIANZHU, "入会岗"]]


def test_a_good_sheet_creates_each_account_once_assigns_every_row_and_gives_one_slip_per_account(seeded):
    slips = booth_accounts.create_accounts(account("district"), plan(GOOD_ROWS), "10.0.0.1")

    assert [(s.name, s.username, s.places) for s in slips] == [
        ("张三", "13900000001", [(MAIN, "入会岗"), (MAIN, "法律咨询岗")]),
        ("李四", "13900000002", [(TIANZHU, "入会岗")])]
    zhang, li = account("13900000001"), account("13900000002")
    assert (zhang.role, zhang.org.name, zhang.mobile, zhang.must_change_password) == (
        Role.BOOTH_STAFF, "仁和镇", "13900000001", True)
    assert li.org.name == "天竺镇"  # each new account belongs to its venue's union
    assert sorted(booth.name for booth in zhang.booths) == ["入会岗", "法律咨询岗"]
    assert all(passwords.authenticate(slip.username, slip.password) for slip in slips)
    bulk = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.bulk_create"))
    assert (bulk.detail, bulk.ip) == ({"created": 2, "reused": 0, "assigned": 3}, "10.0.0.1")


def test_importing_the_same_sheet_again_creates_no_account_or_assignment_twice(seeded):
    booth_accounts.create_accounts(account("district"), plan(GOOD_ROWS))
    accounts_and_assignments = written()[:2]
    password_hash = account("13900000001").password_hash

    again = plan(GOOD_ROWS)
    slips = booth_accounts.create_accounts(account("district"), again)

    assert (again.new_accounts, again.reused_accounts) == ([], 2)
    assert [slip.password for slip in slips] == [None, None]  # the slips say 使用原密码
    assert written()[:2] == accounts_and_assignments
    assert account("13900000001").password_hash == password_hash


def test_a_mobile_with_a_booth_account_of_the_venues_union_reuses_it_at_a_new_booth(seeded):
    renhe = account("renhe")
    existing = accounts.create_account(renhe, AccountFields("13700000001", "王五", Role.BOOTH_STAFF, renhe.org_id))

    slips = booth_accounts.create_accounts(renhe, plan([["王五", "13700000001", MAIN, "建会岗"]], "renhe"))

    assert slips[0].password is None
    assert [booth.name for booth in account("13700000001").booths] == ["建会岗"]
    assert passwords.authenticate("13700000001", existing.password) is not None


def test_each_bad_row_is_named_with_its_number_and_nothing_is_written(seeded):
    tianzhu = account("tianzhu")
    accounts.create_account(tianzhu, AccountFields("13700000002", "天竺人", Role.BOOTH_STAFF, tianzhu.org_id))
    accounts.create_account(account("district"), AccountFields("13700000003", "管理员", Role.ORG_ADMIN,
                                                               tianzhu.org_id))
    before = written()
    rows = [
        ["赵一", "13900000011", "天堂会场", "入会岗"],
        ["赵二", "13900000012", MAIN, "茶水岗"],
        ["赵三", "1234", MAIN, "入会岗"],
        ["天竺人", "13700000002", MAIN, "入会岗"],
        ["管理员", "13700000003", TIANZHU, "入会岗"],
        ["赵六", "13900000016", MAIN, "入会岗"],
        ["赵六", "13900000016", MAIN, "入会岗"],
        ["赵七", "13900000016", MAIN, "建会岗"],
        ["", "13900000019", MAIN, "入会岗"],
    ]

    checked = plan(rows)

    assert checked.errors == [
        "第 2 行：本场沟通会没有会场「天堂会场」",
        f"第 3 行：会场「{MAIN}」没有岗位「茶水岗」",
        "第 4 行：手机号应为11位，以1开头（1234）",
        "第 5 行：「天竺人」是天竺镇的岗位工作人员，不能安排到仁和镇的岗位",
        "第 6 行：「管理员」不是可用的岗位工作人员账号",
        "第 8 行：与第 7 行重复（同一手机号、同一岗位）",
        "第 9 行：手机号 13900000016 在第 7 行的姓名是「赵六」，同一手机号应为同一人",
        "第 10 行：请填写姓名",
    ]
    with pytest.raises(AppError) as refused:
        booth_accounts.create_accounts(account("district"), checked)
    assert refused.value.code == "sheet_has_errors"
    assert written() == before


def test_an_org_admin_puts_people_only_at_its_own_unions_venues(seeded):
    checked = plan([["钱一", "13900000021", TIANZHU, "入会岗"], ["钱二", "13900000022", MAIN, "入会岗"]], "renhe")
    assert checked.errors == [f"第 2 行：会场「{TIANZHU}」由天竺镇承办，您无权为它安排人员"]


def test_a_retired_union_gets_no_new_booth_accounts(seeded):
    org_named("天竺镇").retired_at = utcnow()
    db.session.commit()
    assert plan([["孙一", "13900000031", TIANZHU, "入会岗"]]).errors == [
        "第 2 行：承办工会「天竺镇」已撤销，不能为它新建账号"]


def test_a_closed_meeting_takes_no_booth_accounts(seeded):
    meeting = demo_meeting()
    meeting.status = meeting.status.CLOSED
    db.session.commit()
    with pytest.raises(AppError) as refused:
        plan(GOOD_ROWS)
    assert refused.value.code == "meeting_closed"


def test_a_sheet_over_2000_rows_is_refused_whole(seeded):
    rows = [[f"志愿者{n}", f"139{n:08d}", MAIN, "入会岗"] for n in range(2001)]
    with pytest.raises(AppError) as refused:
        plan(rows)
    assert refused.value.status == 400 and "表格超过 2000 行" in refused.value.message


@pytest.fixture
def statements(app):
    """The SQL statements run while the test runs (their first word: SELECT, INSERT …)."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("size", [20, 200])
def test_a_sheet_reads_the_same_few_rows_whatever_its_length(seeded, statements, size):
    places = [(venue.name, booth.name) for venue in demo_meeting().venues for booth in venue.booths]
    rows = [[f"志愿者{n}", f"139{n:08d}", *places[n % len(places)]] for n in range(size)]
    db.session.expire_all()
    meeting = demo_meeting()
    statements.clear()

    checked = booth_accounts.plan_import(account("district"), meeting, sheet(rows))
    booth_accounts.create_accounts(account("district"), checked)

    assert checked.errors == [] and len(checked.new_accounts) == size
    # The meeting's venues with their unions and booths, the sheet's accounts with theirs: never one per row.
    assert statements.count("SELECT") <= 8
