"""Entry codes in the staff web: images, the ZIP, posters, revoking and regenerating."""

import io
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, EntryCode, User
from app.services.setup import entry_codes
from app.services.setup.qr_codes import image_cache
from tests.qr.decoding import decode_one

BASE_URL = "http://testserver.local"


def code_for(meeting, town: str, booth_name: str | None) -> EntryCode:
    return next(
        c
        for c in entry_codes.active_codes(meeting)
        if c.venue.host_org.name == town and (c.booth.name if c.booth else None) == booth_name
    )


def expected_file_name(entry_code: EntryCode) -> str:
    parts = [entry_code.venue.host_org.name, entry_code.venue.place_name]
    return "-".join(parts + ([entry_code.booth.name] if entry_code.booth else [])) + ".png"


def test_every_png_in_the_meeting_zip_decodes_to_its_own_booths_url(staff_login, seeded):
    response = staff_login("district").get(f"/meetings/{seeded.meeting.id}/codes.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    expected = {expected_file_name(c): f"{BASE_URL}/q/{c.code}" for c in entry_codes.active_codes(seeded.meeting)}
    assert len(expected) == 17
    assert sorted(archive.namelist()) == sorted(expected)
    for name in archive.namelist():
        assert decode_one(archive.read(name)) == expected[name], name
    assert "仁和镇-北京工字投资管理有限责任公司1号标厂.png" in expected


def test_images_posters_and_the_zip_need_a_staff_login(client, seeded):
    code = code_for(seeded.meeting, "仁和镇", "入会岗").code
    for url in [f"/codes/{code}.png", f"/codes/{code}.svg", f"/codes/{code}/poster",
                f"/meetings/{seeded.meeting.id}/posters", f"/meetings/{seeded.meeting.id}/codes.zip"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_a_code_image_is_cached_for_a_year_under_a_strong_etag(staff_login, seeded):
    code = code_for(seeded.meeting, "仁和镇", "入会岗").code
    response = staff_login("booth").get(f"/codes/{code}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag, weak = response.get_etag()
    assert etag and not weak
    assert decode_one(response.data) == f"{BASE_URL}/q/{code}"


def test_a_repeated_request_with_if_none_match_gets_304_and_no_render(staff_login, seeded):
    session = staff_login("booth")
    code = code_for(seeded.meeting, "仁和镇", "法律咨询岗").code  # a booth of theirs
    renders_before = image_cache.renders
    first = session.get(f"/codes/{code}.svg")
    assert image_cache.renders == renders_before + 1
    again = session.client.get(f"/codes/{code}.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert image_cache.renders == renders_before + 1


def test_an_unknown_code_has_no_image(staff_login, seeded):
    assert staff_login("booth").get("/codes/NoSuchCode12.png").status_code == 404


def test_revoking_a_code_makes_it_404_at_q_and_drops_it_from_posters_and_zip(staff_login, seeded, client):
    renhe = staff_login("renhe")
    entry_code = code_for(seeded.meeting, "仁和镇", "法律咨询岗")
    code, venue_id = entry_code.code, entry_code.venue_id
    assert code in renhe.get(f"/venues/{venue_id}/posters").text

    response = renhe.post_form(f"/codes/{code}/revoke", {})
    assert "已停用" in renhe.get(response.location).text

    scan = client.get(f"/q/{code}")
    assert scan.status_code == 404
    assert "二维码无效或已停用" in scan.text
    assert code not in renhe.get(f"/venues/{venue_id}/posters").text
    assert code not in renhe.get(f"/meetings/{seeded.meeting.id}/posters").text
    assert renhe.get(f"/codes/{code}.png").status_code == 404
    zip_names = zipfile.ZipFile(io.BytesIO(renhe.get(f"/meetings/{seeded.meeting.id}/codes.zip").data)).namelist()
    assert len(zip_names) == 4  # its own venue's codes (the district-wide day's others are not its to print)
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "entry_code.revoke"))
    assert audit.detail["code"] == code
    assert db.session.get(User, audit.user_id).username == "renhe"


def test_regenerating_gives_the_booth_a_new_working_code_and_kills_the_old(staff_login, seeded, client):
    renhe = staff_login("renhe")
    old = code_for(seeded.meeting, "仁和镇", "入会岗").code
    response = renhe.post_form(f"/codes/{old}/regenerate", {})
    assert response.status_code == 302
    db.session.expire_all()
    new = code_for(seeded.meeting, "仁和镇", "入会岗").code
    assert new != old and len(new) >= 10
    assert client.get(f"/q/{old}").status_code == 404
    assert client.get(f"/q/{new}").status_code == 200
    assert "已换新二维码" in renhe.get(f"/meetings/{seeded.meeting.id}").text


def test_a_revoked_slot_gets_a_new_code_on_demand(staff_login, seeded):
    renhe = staff_login("renhe")
    entry_code = code_for(seeded.meeting, "仁和镇", None)
    renhe.post_form(f"/codes/{entry_code.code}/revoke", {})
    response = renhe.post_form(f"/venues/{entry_code.venue_id}/codes", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert code_for(seeded.meeting, "仁和镇", None).code != entry_code.code


def test_only_a_manager_of_the_venue_may_revoke_or_regenerate(staff_login, seeded):
    code = code_for(seeded.meeting, "仁和镇", "入会岗").code
    for username in ["tianzhu", "booth", "viewer"]:
        session = staff_login(username)
        assert session.post_form(f"/codes/{code}/revoke", {}).status_code == 403, username
        assert session.post_form(f"/codes/{code}/regenerate", {}).status_code == 403, username
    db.session.expire_all()
    assert entry_codes.find_active(code).is_active


def test_a_closed_meeting_cannot_get_new_codes(staff_login, seeded):
    district = staff_login("district")
    code = code_for(seeded.meeting, "仁和镇", "入会岗").code
    district.post_form(f"/meetings/{seeded.meeting.id}/status", {"status": "closed"})
    response = district.post_form(f"/codes/{code}/regenerate", {})
    assert response.status_code == 409
    assert "沟通会已结束" in response.text


def test_the_meeting_page_shows_codes_and_revoke_only_at_the_users_own_venues(staff_login, seeded):
    page = staff_login("renhe").get(f"/meetings/{seeded.meeting.id}").text
    renhe_code = code_for(seeded.meeting, "仁和镇", "入会岗").code
    tianzhu_code = code_for(seeded.meeting, "天竺镇", "入会岗").code
    assert f"/codes/{renhe_code}/revoke" in page
    assert "天竺综合保税区服务大厅" in page and tianzhu_code not in page
    assert f"/meetings/{seeded.meeting.id}/codes.zip" in page


def test_a_booth_poster_names_meeting_venue_booth_and_the_instruction(staff_login, seeded):
    entry_code = code_for(seeded.meeting, "天竺镇", "互助服务卡岗")
    page = staff_login("tianzhu").get(f"/codes/{entry_code.code}/poster").text
    for text in ["顺义区职工沟通会", "分会场 · 天竺综合保税区服务大厅", "互助服务卡岗",
                 "微信扫一扫 · 入会并申领互助服务卡", f"/codes/{entry_code.code}.svg"]:
        assert text in page


def test_each_poster_s_call_to_action_follows_its_booth_kind(staff_login, seeded):
    session = staff_login("district")
    for booth, call_to_action in [("建会岗", "企业建会请咨询本岗"), ("法律咨询岗", "法律咨询请到本岗"),
                                  ("入会岗", "微信扫一扫 · 现场入会<")]:
        entry_code = code_for(seeded.meeting, "仁和镇", booth)
        page = session.get(f"/codes/{entry_code.code}/poster").text
        assert call_to_action in page and "申领互助服务卡" not in page, booth


def test_the_meeting_sheet_prints_one_poster_per_page_or_four_table_cards(staff_login, seeded):
    session = staff_login("district")
    posters = session.get(f"/meetings/{seeded.meeting.id}/posters").text
    cards = session.get(f"/meetings/{seeded.meeting.id}/posters?layout=cards").text
    assert posters.count('class="sheet-page per-1"') == 17
    assert cards.count('class="sheet-page per-4"') == 5
    assert cards.count('class="poster"') == 17
