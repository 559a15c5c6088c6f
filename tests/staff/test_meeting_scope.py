"""A meeting's pages, numbers and codes as docs/security.md scopes them: another town's staff learn nothing of a
meeting hosted only by 仁和镇; of a district-wide day a town sees its own venues' codes; booth staff only their
own booths' codes."""

import io
import zipfile

import pytest

from app.extensions import db
from app.models import MeetingStatus, Role, User
from app.services.setup import entry_codes, meetings
from app.services.setup.demo import DEMO_PASSWORD
from tests.factories import account, org_named

# {m}: the meeting, {v}: its venue, {c}: a booth's entry code.
MEETING_PAGES = [
    "/meetings/{m}", "/meetings/{m}/codes.zip", "/meetings/{m}/posters", "/venues/{v}/posters",
    "/meetings/{m}/summary", "/meetings/{m}/summary.xlsx", "/api/meetings/{m}/totals", "/live/meetings/{m}/stream",
    "/codes/{c}.png", "/codes/{c}.svg", "/codes/{c}/poster", "/codes/{c}/wxacode.png",
    "/meetings/{m}/copy", "/meetings/{m}/booth-passes", "/meetings/{m}/display-links/venues",
]
SHEETS = ("/posters", "codes.zip", "/copy", "/booth-passes", "/display-links")  # for admins, not viewers
REFUSED = (403, 404)


@pytest.fixture
def tianzhu_viewer(seeded):
    viewer = User(username="tianzhu-viewer", display_name="天竺镇只读", role=Role.VIEWER, org=org_named("天竺镇"))
    viewer.set_password(DEMO_PASSWORD)
    db.session.add(viewer)
    db.session.commit()
    return viewer


def urls_of(meeting) -> list[str]:
    venue = meeting.venues[0]
    code = next(c for c in entry_codes.active_codes(meeting) if c.booth_id is not None).code
    return [page.format(m=meeting.id, v=venue.id, c=code) for page in MEETING_PAGES]


def code_of(meeting, town: str, booth_name: str | None) -> str:
    return next(c.code for c in entry_codes.active_codes(meeting)
                if c.venue.host_org.name == town and (c.booth.name if c.booth else None) == booth_name)


@pytest.mark.parametrize("username", ["tianzhu", "booth", "tianzhu-viewer"])
def test_another_towns_staff_and_booth_phones_get_nothing_of_a_meeting_hosted_only_by_renhe(
        staff_login, renhe_meeting, tianzhu_viewer, username):
    session = staff_login(username)
    answers = {url: session.get(url).status_code for url in urls_of(renhe_meeting)}
    assert {url: status for url, status in answers.items() if status not in REFUSED} == {}
    assert renhe_meeting.title not in session.get("/meetings").text


@pytest.mark.parametrize("username", ["renhe", "district", "viewer"])
def test_the_organising_town_and_the_district_still_open_its_pages(staff_login, renhe_meeting, username):
    session = staff_login(username)
    readable = [url for url in urls_of(renhe_meeting) if "/stream" not in url and "wxacode" not in url]
    if username == "viewer":  # the district's viewer: numbers and pages, no code sheets (docs/security.md)
        readable = [url for url in readable if not any(sheet in url for sheet in SHEETS)]
    assert {url: session.get(url).status_code for url in readable} == dict.fromkeys(readable, 200)


def test_a_town_sees_a_district_wide_day_with_only_its_own_venues_codes(staff_login, seeded):
    meeting, tianzhu = seeded.meeting, staff_login("tianzhu")
    renhe_venue = next(v for v in meeting.venues if v.host_org.name == "仁和镇")
    renhe_code, own_code = code_of(meeting, "仁和镇", "入会岗"), code_of(meeting, "天竺镇", "入会岗")

    page = tianzhu.get(f"/meetings/{meeting.id}").text
    assert renhe_venue.name in page and renhe_code not in page and own_code in page
    archive = zipfile.ZipFile(io.BytesIO(tianzhu.get(f"/meetings/{meeting.id}/codes.zip").data))
    assert archive.namelist() and all(name.startswith("天竺镇-") for name in archive.namelist())
    posters = tianzhu.get(f"/meetings/{meeting.id}/posters").text
    assert own_code in posters and renhe_code not in posters
    for url in (f"/venues/{renhe_venue.id}/posters", f"/codes/{renhe_code}.png", f"/codes/{renhe_code}/poster"):
        assert tianzhu.get(url).status_code == 404, url
    assert tianzhu.get(f"/codes/{own_code}.png").status_code == 200


def test_booth_staff_get_only_their_own_booths_codes_and_only_while_the_meeting_is_open(staff_login, seeded):
    meeting, booth = seeded.meeting, staff_login("booth")
    own = code_of(meeting, "仁和镇", "入会岗")
    for url in (f"/codes/{own}.png", f"/codes/{own}/poster"):
        assert booth.get(url).status_code == 200, url
    for code in (code_of(meeting, "仁和镇", None), code_of(meeting, "天竺镇", "入会岗")):
        for url in (f"/codes/{code}.png", f"/codes/{code}/poster", f"/codes/{code}/wxacode.png"):
            assert booth.get(url).status_code == 404, url

    meetings.change_status(account("district"), meeting, MeetingStatus.CLOSED)
    assert booth.get(f"/codes/{own}.png").status_code == 404


def test_a_towns_viewer_does_not_read_the_district_overview_and_is_not_offered_it(staff_login, tianzhu_viewer):
    town_viewer = staff_login("tianzhu-viewer")
    assert town_viewer.get("/overview").status_code == 403
    assert "全区概览" not in town_viewer.get("/meetings").text
    district_viewer = staff_login("viewer")
    assert district_viewer.get("/overview").status_code == 200 and "全区概览" in district_viewer.get("/meetings").text
