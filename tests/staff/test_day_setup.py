"""Day set-up pages: the venue sheet previewed then confirmed, staff put at booths, a copy, links for TVs and
volunteers."""

import io
import re
from html import unescape

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import BoothPass, DisplayLink, Meeting, Venue
from app.services.live import display_links
from app.services.setup import entry_codes
from qr.render import render_svg
from qr.urls import entry_url
from tests.factories import account
from tests.services.setup.test_venue_sheet import day_rows, sheet


def venue_count(meeting_id: int) -> int:
    return db.session.scalar(select(func.count(Venue.id)).where(Venue.meeting_id == meeting_id))


def test_a_venue_sheet_is_previewed_then_written_on_confirmation(staff_login, seeded):
    district, meeting_id = staff_login("district"), seeded.meeting.id
    url = f"/meetings/{meeting_id}/venues/import"
    preview = district.upload(url, sheet(day_rows(["北务镇", "木林镇"])))
    assert preview.status_code == 200 and "将导入 2 个会场（新增 2）、4 个岗位（新增 4）" in preview.text
    assert venue_count(meeting_id) == 5
    carried = unescape(re.search(r'name="sheet" value="([^"]+)"', preview.text).group(1))
    confirmed = district.post_form(url, {"sheet": carried, "confirm": "1"})
    assert confirmed.status_code == 302 and venue_count(meeting_id) == 7


def test_a_bad_venue_sheet_is_shown_with_its_rows_and_cannot_be_confirmed(staff_login, seeded):
    rows = day_rows(["北务镇"]) + [["木林镇分会场", "分会场", "天堂镇", "某地", "", "入会", "入会岗", ""]]
    answer = staff_login("district").upload(f"/meetings/{seeded.meeting.id}/venues/import", sheet(rows))
    assert answer.status_code == 422
    assert "第 4 行：找不到承办工会「天堂镇」" in answer.text and "确认导入" not in answer.text
    assert venue_count(seeded.meeting.id) == 5


def test_the_venue_template_has_the_columns_of_the_sheet(staff_login, seeded):
    answer = staff_login("renhe").get("/venues/template.xlsx")
    header = [cell.value for cell in load_workbook(io.BytesIO(answer.data)).active[1]]
    assert header == ["会场名称", "主/分会场", "承办工会", "地点", "地址", "岗位类型", "岗位名称", "岗位人员"]


def test_an_org_admin_takes_its_booth_staff_off_a_booth_and_puts_them_back(staff_login, seeded):
    booth = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇").booths[2]
    renhe, booth_user = staff_login("renhe"), account("booth")
    assert f'id="staff-{booth.id}"' not in renhe.get(f"/meetings/{seeded.meeting.id}").text  # nobody else to add
    assert renhe.post_form(f"/booths/{booth.id}/staff/{booth_user.id}/remove", {}).status_code == 302
    db.session.expire_all()
    assert booth not in account("booth").booths
    assert f'id="staff-{booth.id}"' in renhe.get(f"/meetings/{seeded.meeting.id}").text  # offered again
    assert renhe.post_form(f"/booths/{booth.id}/staff", {"staff_id": booth_user.id}).status_code == 302
    db.session.expire_all()
    assert booth in account("booth").booths


def test_booth_staff_of_another_union_cannot_be_put_at_a_booth(staff_login, seeded):
    booth = next(v for v in seeded.meeting.venues if v.host_org.name == "天竺镇").booths[0]
    answer = staff_login("district").post_form(f"/booths/{booth.id}/staff", {"staff_id": account("booth").id})
    assert answer.status_code == 422
    assert "「仁和镇入会岗」是仁和镇的岗位工作人员，不能安排到天竺镇的岗位" in answer.text
    db.session.expire_all()
    assert booth not in account("booth").booths


def test_an_org_admin_cannot_staff_another_towns_booth(staff_login, seeded):
    booth = next(v for v in seeded.meeting.venues if v.host_org.name == "天竺镇").booths[0]
    answer = staff_login("renhe").post_form(f"/booths/{booth.id}/staff", {"staff_id": account("booth").id})
    assert answer.status_code == 403


def test_a_meeting_is_copied_from_its_page(staff_login, seeded):
    district = staff_login("district")
    form = district.get(f"/meetings/{seeded.meeting.id}/copy")
    assert "顺义区职工沟通会（复制）" in form.text
    answer = district.post_form(f"/meetings/{seeded.meeting.id}/copy", {
        "title": "顺义区职工沟通会（第二场）", "held_on": "2027-04-01", "kind": "district_day",
        "organiser_org_id": seeded.meeting.organiser_org_id})
    copy = db.session.scalar(select(Meeting).where(Meeting.title == "顺义区职工沟通会（第二场）"))
    assert answer.status_code == 302 and answer.location.endswith(f"/meetings/{copy.id}")
    assert venue_count(copy.id) == venue_count(seeded.meeting.id)


def test_every_venue_gets_one_screen_link_showing_its_own_entry_qr(app, staff_login, seeded):
    district = staff_login("district")
    url = f"/meetings/{seeded.meeting.id}/display-links/venues"
    district.post_form(url, {})
    district.post_form(url, {})  # a second press issues none: one link per venue
    links = db.session.scalars(select(DisplayLink).where(DisplayLink.venue_id.is_not(None))).all()
    assert sorted(link.venue_id for link in links) == sorted(v.id for v in seeded.meeting.venues)
    sheet_page = district.get(url).text
    assert all(f"/display/{link.token}" in sheet_page for link in links)
    sub_venue_link = next(link for link in links if link.venue.role.value == "sub")
    venue_code = next(c.code for c in entry_codes.active_codes(seeded.meeting)
                      if c.venue_id == sub_venue_link.venue_id and c.booth_id is None)
    expected = render_svg(entry_url(app.config["PUBLIC_BASE_URL"], venue_code)).decode()
    assert display_links.entry_qr_svg(sub_venue_link) == expected
    assert sub_venue_link.venue.name in district.get(f"/display/{sub_venue_link.token}").text


def test_the_volunteer_link_sheet_has_a_link_and_qr_for_every_booth(staff_login, seeded):
    renhe = staff_login("renhe")
    url = f"/meetings/{seeded.meeting.id}/booth-passes"
    renhe.post_form(url, {})
    own_booths = [b for v in seeded.meeting.venues if v.host_org.name == "仁和镇" for b in v.booths]
    passes = db.session.scalars(select(BoothPass)).all()
    assert sorted(p.booth_id for p in passes) == sorted(b.id for b in own_booths)  # only renhe's own booths
    page = renhe.get(url).text
    assert page.count("<svg") == len(own_booths)
    assert all(f"/b/{p.token}" in page for p in passes)
