"""Meeting set-up in the staff web: scopes, the lifecycle, Chinese form errors, and the list paged and searched."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Booth, EntryCode, Meeting, MeetingStatus, Org, Role, User, Venue
from app.services import access
from app.services.paging import PAGE_SIZE
from tests.history import PREVIOUS, seed_meetings, walk


def renhe_venue(seeded) -> Venue:
    return next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")


def org_id(name: str) -> int:
    return db.session.scalar(select(Org.id).where(Org.name == name))


def venue_form(venue: Venue, **changes) -> dict:
    form = {
        "role": venue.role.value,
        "host_org_id": venue.host_org_id,
        "place_name": venue.place_name,
        "address": venue.address,
    }
    form.update(changes)
    return form


def test_tianzhu_admin_gets_403_editing_a_renhe_venue(staff_login, seeded):
    tianzhu = staff_login("tianzhu")
    venue = renhe_venue(seeded)
    assert tianzhu.get(f"/venues/{venue.id}/edit").status_code == 403
    response = tianzhu.post_form(f"/venues/{venue.id}/edit", venue_form(venue, place_name="被改掉的名字"))
    assert response.status_code == 403
    assert "没有权限" in response.text
    db.session.expire_all()
    assert venue.place_name == "北京工字投资管理有限责任公司1号标厂"


def test_renhe_admin_edits_its_own_venue(staff_login, seeded):
    renhe = staff_login("renhe")
    venue = renhe_venue(seeded)
    response = renhe.post_form(f"/venues/{venue.id}/edit", venue_form(venue, address="仁和镇新地址1号"))
    assert response.status_code == 302
    db.session.expire_all()
    assert venue.address == "仁和镇新地址1号"


def test_org_admin_cannot_move_its_venue_to_another_org(staff_login, seeded):
    renhe = staff_login("renhe")
    venue = renhe_venue(seeded)
    response = renhe.post_form(f"/venues/{venue.id}/edit", venue_form(venue, host_org_id=org_id("天竺镇")))
    assert response.status_code in (403, 422)
    db.session.expire_all()
    assert venue.host_org.name == "仁和镇"


def test_a_closed_meeting_cannot_be_reopened(staff_login, seeded):
    district = staff_login("district")
    meeting_id = seeded.meeting.id
    closed = district.post_form(f"/meetings/{meeting_id}/status", {"status": "closed"})
    assert closed.status_code == 302
    reopened = district.post_form(f"/meetings/{meeting_id}/status", {"status": "open"})
    assert reopened.status_code == 409
    assert "不能重新开放" in reopened.text
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id).status is MeetingStatus.CLOSED


def test_opening_a_meeting_gives_every_venue_and_booth_an_entry_code(staff_login, seeded):
    district = staff_login("district")
    created = district.post_form(
        "/meetings/new",
        {"title": "天竺镇企业沟通会", "held_on": "2026-12-01", "kind": "town", "organiser_org_id": org_id("天竺镇")},
    )
    meeting_id = int(created.location.rsplit("/", 1)[1])
    district.post_form(
        f"/meetings/{meeting_id}/venues/new",
        {"role": "main", "host_org_id": org_id("天竺镇"), "place_name": "空港物流园", "address": ""},
    )
    venue = db.session.scalar(select(Venue).where(Venue.meeting_id == meeting_id))
    district.post_form(f"/venues/{venue.id}/booths/new", {"kind": "join", "name": "入会岗"})
    district.post_form(f"/venues/{venue.id}/booths/new", {"kind": "legal", "name": "法律咨询岗"})
    assert district.post_form(f"/meetings/{meeting_id}/status", {"status": "open"}).status_code == 302
    codes = db.session.scalars(select(EntryCode).where(EntryCode.meeting_id == meeting_id)).all()
    assert sorted(c.booth_id or 0 for c in codes) == sorted([0, *[b.id for b in venue.booths]])
    assert all(len(c.code) >= 10 for c in codes)


def test_bad_meeting_form_rerenders_with_chinese_errors_and_writes_nothing(staff_login, seeded):
    district = staff_login("district")
    before = db.session.scalar(select(func.count(Meeting.id)))
    response = district.post_form(
        "/meetings/new", {"title": "  ", "held_on": "明天", "kind": "town", "organiser_org_id": org_id("杨镇")}
    )
    assert response.status_code == 422
    assert "请填写沟通会名称" in response.text
    assert "日期格式不正确" in response.text
    assert db.session.scalar(select(func.count(Meeting.id))) == before


def test_bad_booth_form_shows_the_field_error_and_adds_no_booth(staff_login, seeded):
    renhe = staff_login("renhe")
    venue = renhe_venue(seeded)
    before = db.session.scalar(select(func.count(Booth.id)))
    response = renhe.post_form(f"/venues/{venue.id}/booths/new", {"kind": "join", "name": "岗" * 61})
    assert response.status_code == 422
    assert "岗位名称不能超过 60 个字" in response.text
    assert db.session.scalar(select(func.count(Booth.id))) == before


def test_org_admin_cannot_organise_a_meeting_for_another_org(staff_login, seeded):
    renhe = staff_login("renhe")
    response = renhe.post_form(
        "/meetings/new",
        {"title": "冒名沟通会", "held_on": "2026-12-01", "kind": "town", "organiser_org_id": org_id("天竺镇")},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.title == "冒名沟通会")) == 0


def test_booth_staff_and_viewers_cannot_create_meetings(staff_login, seeded):
    for username in ("booth", "viewer"):
        assert staff_login(username).get("/meetings/new").status_code == 403


TITLE = re.compile(r'class="card meeting-row" href="/meetings/\d+">\s*<strong>([^<]+)</strong>')


def test_paging_meetings_newest_first_reaches_the_first_and_last_and_keeps_the_search(staff_login, seeded):
    seed_meetings(130)
    district = staff_login("district")

    pages, last = walk(district, "/meetings?q=沟通会0&year=2026", TITLE)
    assert [title for page in pages for title in page] == [f"沟通会{n:04d}" for n in range(129, -1, -1)]
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 30]
    assert "year=2026" in last and "共 130 场" in district.get(last).text
    back, _first = walk(district, last, TITLE, PREVIOUS)
    assert back == pages[::-1]


def test_meetings_are_found_by_title_year_and_date(staff_login, seeded):
    seed_meetings(10, year=2025)
    seed_meetings(10, start=10, year=2026)
    district = staff_login("district")

    def titles(query: str) -> set[str]:
        return set(TITLE.findall(district.get(f"/meetings?{query}").text))

    assert titles("year=2025") == {f"沟通会{n:04d}" for n in range(10)}
    assert titles("held_on=2026-01-11") == {"沟通会0010"}
    assert titles("q=沟通会001") == {f"沟通会{n:04d}" for n in range(10, 20)}
    assert titles("q=沟通会001&year=2025") == set()


def test_a_town_lists_only_the_meetings_it_organises_or_hosts_a_venue_of(staff_login, seeded):
    seed_meetings(30)  # 仁和镇 organises every third and hosts every main venue; 天竺镇 the others' sub-venues
    listed = {username: {title for page in walk(staff_login(username), "/meetings", TITLE)[0] for title in page}
              for username in ("renhe", "tianzhu", "booth")}

    everything = {f"沟通会{n:04d}" for n in range(30)} | {seeded.meeting.title}
    assert listed["renhe"] == everything
    assert listed["tianzhu"] == everything - {f"沟通会{n:04d}" for n in range(0, 30, 3)}
    assert listed["booth"] == {seeded.meeting.title}


def test_the_sql_scope_of_meetings_is_can_see_meeting(seeded):
    seed_meetings(12)
    db.session.add(User(username="tianzhu-viewer", display_name="天竺镇只读", role=Role.VIEWER, org_id=org_id("天竺镇"),
                        password_hash="-"))
    db.session.commit()
    every_meeting = db.session.scalars(select(Meeting)).all()
    for user in db.session.scalars(select(User)).all():
        in_sql = set(db.session.scalars(select(Meeting.id).where(access.seen_meetings(user))))
        assert in_sql == {m.id for m in every_meeting if access.can_see_meeting(user, m)}, user.username
