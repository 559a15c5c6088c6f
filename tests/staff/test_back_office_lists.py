"""The review queue and the card desk after a year (issue 23): each page costs the same statements at 1× and 4×
the people, finds one person by member number or full ID number within its own town only, and their meeting
field (and /exports') offers only the meetings its user may see."""

import re
from urllib.parse import quote

import pytest

from app.extensions import db
from app.models import AuditLog
from tests.volume import seed_people, statement_count

PAGES = ["/cards", "/cards?status=all", "/cards?meeting={m}", "/review", "/review?status=all",
         "/review?meeting={m}&order=newest"]


def venue_of(seeded, town: str):
    return next(v for v in seeded.meeting.venues if v.host_org.name == town)


def test_each_list_sends_as_many_statements_at_4x_the_people_as_at_1x(staff_login, seeded):
    # A third of the people at 仁和镇's venue, so its admin's pages are full pages too.
    venues = [venue_of(seeded, "仁和镇"), *seeded.meeting.venues]
    sessions = {username: staff_login(username) for username in ("district", "renhe")}
    urls = [page.format(m=seeded.meeting.id) for page in PAGES]
    seed_people(150, venues)
    for session in sessions.values():  # the first visit of a session warms what every later one reuses
        session.get(urls[0])
    once = {(username, url): statement_count(session, url) for username, session in sessions.items() for url in urls}
    seed_people(450, venues)
    four_times = {(username, url): statement_count(s, url) for username, s in sessions.items() for url in urls}
    assert four_times == once
    assert max(once.values()) <= 12


@pytest.mark.parametrize("page", ["/review?status=all", "/cards?status=all"])
def test_search_finds_one_person_by_member_number_or_full_id_number(staff_login, seeded, page):
    people = seed_people(30, [venue_of(seeded, "仁和镇"), venue_of(seeded, "天竺镇")])
    member = next(p for p in people if p.member_no and p.host_org_id == venue_of(seeded, "仁和镇").host_org_id)
    renhe = staff_login("renhe")
    for typed in (member.member_no, member.id_number, member.id_number.lower(), f" {member.id_number[:6]} "
                  f"{member.id_number[6:]}"):
        text = renhe.get(f"{page}&q={typed}").text
        assert "共 1 " in text and row_ids(text) == [row_id_of(member, page)], typed
    assert db.session.scalar(db.select(db.func.count()).where(AuditLog.action == "application.search")) == 3


@pytest.mark.parametrize("page", ["/review?status=all", "/cards?status=all"])
def test_search_finds_nobody_of_another_town(staff_login, seeded, page):
    (theirs,) = seed_people(3, [venue_of(seeded, "仁和镇")])[2:]  # the third is approved: it has a member number
    tianzhu = staff_login("tianzhu")
    for typed in (theirs.member_no, theirs.id_number):
        text = tianzhu.get(f"{page}&q={typed}").text
        assert "共 0 " in text and row_ids(text) == []
    assert row_ids(staff_login("district").get(f"{page}&q={theirs.member_no}").text) == [row_id_of(theirs, page)]


@pytest.mark.parametrize("typed", ["1234", "张三丰", "13800001234", "11011319900517"])
def test_tails_names_and_mobiles_are_not_searchable_and_the_page_says_what_is(staff_login, seeded, typed):
    response = staff_login("renhe").get(f"/review?q={typed}")
    assert response.status_code == 422 and "完整的 18 位身份证号或会员编号" in response.text


@pytest.mark.parametrize("page", ["/review", "/cards", "/exports"])
def test_a_town_is_never_offered_another_towns_meeting(staff_login, renhe_meeting, page):
    assert renhe_meeting.title in staff_login("renhe").get(page).text
    assert renhe_meeting.title in staff_login("district").get(page).text
    tianzhu = staff_login("tianzhu")
    assert renhe_meeting.title not in tianzhu.get(page).text
    for typed in (str(renhe_meeting.id), f"#{renhe_meeting.id}", "快递小哥"):
        refused = tianzhu.get(f"{page}?meeting={quote(typed)}")
        assert refused.status_code in (404, 422) and renhe_meeting.title not in refused.text


@pytest.mark.parametrize("typed", ["快递", "2026-12-09", "2026-12", "仁和"])
def test_the_meeting_search_answers_only_the_users_own_meetings(staff_login, renhe_meeting, typed):
    def titles(username: str) -> list[str]:
        answer = staff_login(username).get(f"/meetings/search?q={quote(typed)}")
        assert answer.status_code == 200
        return [meeting["title"] for meeting in answer.json["meetings"]]

    assert renhe_meeting.title in titles("renhe") and renhe_meeting.title in titles("district")
    assert renhe_meeting.title not in titles("tianzhu")
    assert staff_login("tianzhu").get(f"/meetings/search?q={renhe_meeting.id}").json == {"meetings": []}


def test_a_meeting_is_picked_by_its_label_its_number_or_a_title_only_it_has(staff_login, seeded, renhe_meeting):
    seed_people(4, [venue_of(seeded, "仁和镇"), renhe_meeting.venues[0]])
    renhe = staff_login("renhe")
    label = f"{renhe_meeting.title}（2026-12-09）#{renhe_meeting.id}"
    for typed in (label, str(renhe_meeting.id), "快递小哥"):
        text = renhe.get(f"/review?status=all&meeting={quote(typed)}").text
        assert f'value="{label}"' in text and "共 2 份" in text
    assert renhe.get("/review?meeting=沟通会").status_code == 422  # the demo day and this one: which?


def row_ids(text: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-(?:application|card)-id="(\d+)"', text)]


def row_id_of(person, page: str) -> int:
    return person.card_id if page.startswith("/cards") else person.application_id
