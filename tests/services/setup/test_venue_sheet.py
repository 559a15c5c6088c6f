"""A day's venues and booths from one sheet: preview first, every bad row named, all or nothing, re-importable."""

import pytest
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import Booth, EntryCode, Meeting, MeetingKind, MeetingStatus, Org, Role, User, Venue
from app.models.base import utcnow
from app.services.setup import venue_sheet
from app.services.setup.meetings import MeetingFields, create_meeting
from app.services.xlsx import workbook_bytes
from tests.factories import account, org_named

HEADER = ["会场名称", "主/分会场", "承办工会", "地点", "地址", "岗位类型", "岗位名称", "岗位人员"]


def sheet(rows: list[list]) -> bytes:
    return workbook_bytes("会场和岗位", HEADER, rows)


def day_rows(towns: list[str], booths=(("入会", "入会岗"), ("法律咨询", "法律咨询岗"))) -> list[list]:
    """One sub-venue per town; its booths on the rows below with the venue columns left empty (merged)."""
    rows = []
    for town in towns:
        first, *rest = booths
        rows.append([f"{town}分会场", "分会场", town, f"{town}职工服务中心", f"北京市顺义区{town}", *first, ""])
        rows += [["", "", "", "", "", *booth, ""] for booth in rest]
    return rows


@pytest.fixture
def draft(seeded) -> Meeting:
    district = account("district")
    fields = MeetingFields("2027年春季职工沟通会", utcnow().date(), MeetingKind.DISTRICT_DAY, district.org_id)
    return create_meeting(district, fields)


def counts(meeting: Meeting) -> tuple[int, int]:
    venues = db.session.scalar(select(func.count(Venue.id)).where(Venue.meeting_id == meeting.id))
    booths = db.session.scalar(select(func.count(Booth.id)).join(Venue).where(Venue.meeting_id == meeting.id))
    return venues, booths


def test_a_preview_writes_nothing_and_the_import_writes_every_venue_and_booth(draft):
    content = sheet(day_rows(["仁和镇", "后沙峪镇", "光明街道"]))
    preview = venue_sheet.preview(account("district"), draft, content)
    assert preview.errors == []
    assert (preview.counts["new_venues"], preview.counts["new_booths"]) == (3, 6)
    assert counts(draft) == (0, 0)

    venue_sheet.import_sheet(account("district"), draft, content)
    assert counts(draft) == (3, 6)
    venue = db.session.scalar(select(Venue).where(Venue.meeting_id == draft.id, Venue.name == "光明街道分会场"))
    assert (venue.host_org.name, venue.place_name, [b.name for b in venue.booths]) == (
        "光明街道", "光明街道职工服务中心", ["入会岗", "法律咨询岗"])


def test_importing_the_same_sheet_again_updates_and_adds_nothing(draft):
    content = sheet(day_rows(["仁和镇", "后沙峪镇"]))
    venue_sheet.import_sheet(account("district"), draft, content)
    again = venue_sheet.import_sheet(account("district"), draft, content)
    assert (again.counts["new_venues"], again.counts["new_booths"]) == (0, 0)
    assert counts(draft) == (2, 4)


def test_a_new_booth_in_the_sheet_is_added_beside_the_ones_already_there(draft):
    venue_sheet.import_sheet(account("district"), draft, sheet(day_rows(["仁和镇"])))
    bigger = day_rows(["仁和镇"], booths=(("入会", "入会岗"), ("法律咨询", "法律咨询岗"), ("服务卡", "互助服务卡岗")))
    result = venue_sheet.import_sheet(account("district"), draft, sheet(bigger))
    assert (result.counts["new_venues"], result.counts["new_booths"]) == (0, 1)
    assert counts(draft) == (1, 3)


SAME_NAME_ELSEWHERE = ["仁和镇分会场", "分会场", "仁和镇", "另一个地点", "", "入会", "二号入会岗", ""]


@pytest.mark.parametrize(("rows", "message"), [
    pytest.param(day_rows(["仁和镇"]) + [SAME_NAME_ELSEWHERE],
                 "第 4 行：会场「仁和镇分会场」在第 2 行已出现，但这一行的会场信息不同（重复的会场？）",
                 id="duplicate venue"),
    pytest.param(day_rows(["仁和镇"]) + day_rows(["仁和镇"]),
                 "第 4 行：会场「仁和镇分会场」的岗位「入会岗」在第 2 行已出现（重复的岗位？）",
                 id="venue pasted twice"),
    pytest.param([["天堂镇分会场", "分会场", "天堂镇", "某地", "", "入会", "入会岗", ""]],
                 "第 2 行：找不到承办工会「天堂镇」（请使用“工会”页中的名称）", id="unknown union"),
    pytest.param([["仁和镇分会场", "分会场", "仁和镇", "某地", "", "签到", "签到岗", ""]],
                 "第 2 行：未知的岗位类型「签到」（可填：建会、入会、法律咨询、互助服务卡、综合服务）",
                 id="unknown booth kind"),
    pytest.param([["仁和镇分会场", "副会场", "仁和镇", "某地", "", "入会", "入会岗", ""]],
                 "第 2 行：主/分会场应填写「主会场」或「分会场」，实际为「副会场」", id="unknown venue role"),
    pytest.param([["仁和镇分会场", "分会场", "仁和镇", "某地", "", "入会", "入会岗", "nobody"]],
                 "第 2 行：找不到岗位人员账号「nobody」（填用户名或手机号；可先批量创建岗位账号）", id="unknown staff"),
    pytest.param([["", "", "", "", "", "入会", "入会岗", ""]], "第 2 行：请填写会场名称", id="booth before any venue"),
])
def test_a_sheet_with_a_bad_row_names_it_and_writes_nothing(draft, rows, message):
    result = venue_sheet.import_sheet(account("district"), draft, sheet(rows + day_rows(["后沙峪镇"])))
    assert message in result.errors
    assert counts(draft) == (0, 0)


def test_a_retired_union_cannot_host_a_new_venue(draft):
    org_named("杨镇").retired_at = utcnow()
    db.session.commit()
    result = venue_sheet.import_sheet(account("district"), draft, sheet(day_rows(["仁和镇", "杨镇"])))
    assert result.errors == ["第 4 行：承办工会「杨镇」已撤销，不能承办新的会场"]
    assert counts(draft) == (0, 0)


def test_booth_staff_of_another_union_cannot_be_put_at_a_venue_and_nothing_is_written(draft):
    rows = day_rows(["天竺镇"])
    rows[0][-1] = "booth"  # the demo's booth account belongs to 仁和镇
    result = venue_sheet.import_sheet(account("district"), draft, sheet(rows))
    assert result.errors == ["第 2 行：「仁和镇入会岗」是仁和镇的岗位工作人员，不能安排到天竺镇承办的会场"]
    assert counts(draft) == (0, 0)


def test_staff_named_by_username_or_mobile_are_assigned_to_their_booths(draft):
    booth_user = account("booth")
    booth_user.mobile = "13900000001"
    db.session.commit()
    rows = day_rows(["仁和镇"])
    rows[0][-1], rows[1][-1] = "booth", "13900000001"
    venue_sheet.import_sheet(account("district"), draft, sheet(rows))
    db.session.expire_all()
    assert sorted(b.name for b in account("booth").booths if b.venue.meeting_id == draft.id) == ["入会岗", "法律咨询岗"]


def test_an_org_admin_sets_up_its_own_venue_but_not_another_towns(draft):
    renhe = account("renhe")
    result = venue_sheet.import_sheet(renhe, draft, sheet(day_rows(["仁和镇", "天竺镇"])))
    assert result.errors == ["第 4 行：您不能设置天竺镇承办的会场「天竺镇分会场」"]
    assert venue_sheet.import_sheet(renhe, draft, sheet(day_rows(["仁和镇"]))).errors == []
    assert counts(draft) == (1, 2)


def test_importing_into_an_open_meeting_issues_codes_for_the_new_booths(seeded):
    meeting = seeded.meeting
    before = db.session.scalar(select(func.count(EntryCode.id)).where(EntryCode.meeting_id == meeting.id))
    venue_sheet.import_sheet(account("district"), meeting, sheet(day_rows(["北务镇"])))
    after = db.session.scalar(select(func.count(EntryCode.id)).where(EntryCode.meeting_id == meeting.id))
    assert after == before + 3  # the venue's own code and one per booth


def test_a_closed_meeting_takes_no_sheet(seeded):
    meeting = seeded.meeting
    meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    with pytest.raises(AppError) as refused:
        venue_sheet.preview(account("district"), meeting, sheet(day_rows(["北务镇"])))
    assert refused.value.code == "meeting_closed"


def test_a_district_day_of_27_venues_and_100_booths_is_one_sheet(draft):
    towns = [org.name for org in db.session.scalars(select(Org).where(Org.parent_id.is_not(None)))]
    kinds = (("建会", "建会岗"), ("入会", "入会岗"), ("法律咨询", "法律咨询岗"), ("互助服务卡", "互助服务卡岗"))
    rows = day_rows(towns[:19], booths=kinds) + day_rows(towns[19:], booths=kinds[:3])
    result = venue_sheet.import_sheet(account("district"), draft, sheet(rows))
    assert result.errors == []
    assert counts(draft) == (27, 19 * 4 + 8 * 3)
    assert db.session.scalar(select(func.count(User.id)).where(User.role == Role.BOOTH_STAFF)) == 1
