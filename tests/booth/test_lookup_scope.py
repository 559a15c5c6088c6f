"""Booth help sees only what its user may see (issue 22 item 1): another town's application answers exactly as
a made-up ID number, an approved membership is voided only by its reviewing union, look-ups are limited per
account, and the holder of a voided application is told."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApplicationStatus, Meeting, MeetingKind, MeetingStatus, MembershipApplication, Venue, VenueRole
from app.services.afterday import review
from tests.booth.test_lookup import lookup
from tests.factories import account, id_number, make_application, make_worker, org_named

CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')
NO_APPLICATION = "没有正在办理的申请"


def venue_of(seeded, town: str) -> Venue:
    return next(v for v in seeded.meeting.venues if v.host_org.name == town)


def town_meeting(town: str) -> Venue:
    """A meeting of the town's own, open, with one venue: not the demo's district day."""
    org = org_named(town)
    meeting = Meeting(title=f"{town}企业沟通会", held_on=date(2026, 12, 5), kind=MeetingKind.TOWN,
                      status=MeetingStatus.OPEN, organiser_org=org)
    venue = Venue(meeting=meeting, role=VenueRole.MAIN, host_org=org, place_name=f"{town}职工之家", address=town)
    db.session.add_all([meeting, venue])
    db.session.commit()
    return venue


def as_seen(response, id_no: str) -> tuple[int, str]:
    """Status and page, with the typed ID number and the form tokens taken out: what tells one answer from another."""
    return response.status_code, CSRF_VALUE.sub(r'\1"', response.text.replace(id_no, "<ID>"))


def every_answer(staff, booth, id_no: str) -> list[tuple[int, str]]:
    return [
        as_seen(lookup(staff, booth, id_number=id_no), id_no),
        as_seen(lookup(staff, booth, "/code", id_number=id_no), id_no),
        as_seen(lookup(staff, booth, "/void", id_number=id_no, reason="本人持身份证到场"), id_no),
    ]


def untouched(application: MembershipApplication, status: ApplicationStatus) -> bool:
    db.session.expire_all()
    return application.status is status and application.recovery_code_hash is None


def test_another_towns_admin_at_its_own_booth_gets_the_same_not_found_as_a_made_up_id_number(staff_login, seeded):
    renhes = make_application(venue_of(seeded, "仁和镇"), id_no=(real := id_number()),
                              status=ApplicationStatus.APPROVED, member_no="001-2026-000001")
    tianzhu = staff_login("tianzhu")
    booth = venue_of(seeded, "天竺镇").booths[0]
    answers = every_answer(tianzhu, booth, real)
    assert answers == every_answer(tianzhu, booth, id_number())
    assert answers[0][0] == 200 and NO_APPLICATION in answers[0][1] and "王*" not in answers[0][1]
    assert [status for status, _ in answers[1:]] == [404, 404]
    assert untouched(renhes, ApplicationStatus.APPROVED)


def test_booth_staff_at_their_own_booth_see_only_their_meetings_and_their_unions_applications(staff_login, seeded):
    booth = venue_of(seeded, "仁和镇").booths[0]
    elsewhere = make_application(town_meeting("天竺镇"), id_no=(theirs := id_number()))
    staff = staff_login("booth")
    answers = every_answer(staff, booth, theirs)
    assert answers == every_answer(staff, booth, id_number())
    assert NO_APPLICATION in answers[0][1]
    assert untouched(elsewhere, ApplicationStatus.SUBMITTED)
    # Seen: one filed at another town's venue of this very meeting, and one of their own union's other meeting.
    same_day = make_application(venue_of(seeded, "天竺镇"), name="李四", id_no=(day_id := id_number()))
    own_union = make_application(town_meeting("仁和镇"), name="赵六", id_no=(union_id := id_number()))
    assert "李*" in lookup(staff, booth, id_number=day_id).text
    assert "赵*" in lookup(staff, booth, id_number=union_id).text
    assert same_day.id and own_union.id


def test_an_approved_membership_is_not_voided_at_the_booth_but_by_its_reviewing_union(staff_login, seeded):
    booth = venue_of(seeded, "仁和镇").booths[0]
    member = make_application(venue_of(seeded, "仁和镇"), id_no=(id_no := id_number()),
                              status=ApplicationStatus.APPROVED, member_no="001-2026-000002")
    staff = staff_login("booth")
    page = lookup(staff, booth, id_number=id_no)
    assert 'id="void-form"' not in page.text and "已入会的会员不能在岗位作废" in page.text
    refused = lookup(staff, booth, "/void", id_number=id_no, reason="本人持身份证到场，未在其他手机申请")
    assert refused.status_code == 409
    assert "已入会的会员不能在岗位作废" in refused.text and "仁和镇总工会" in refused.text
    assert untouched(member, ApplicationStatus.APPROVED)
    review.void_misused(account("renhe"), member.id, "本人持身份证到镇工会核实")
    db.session.expire_all()
    assert member.status is ApplicationStatus.WITHDRAWN and member.voided_at


def test_look_ups_are_limited_per_staff_account_with_a_429_in_chinese(app, staff_login, seeded):
    app.config["RATELIMIT_BOOTH_LOOKUP_PER_USER"] = "3/hour"
    booth = venue_of(seeded, "仁和镇").booths[0]
    staff = staff_login("booth")
    answers = [lookup(staff, booth, id_number=id_number()).status_code for _ in range(3)]
    refused = lookup(staff, booth, "/code", id_number=id_number())
    assert answers == [200, 200, 200] and refused.status_code == 429
    assert "操作太频繁，请稍后再试" in refused.text and int(refused.headers["Retry-After"]) > 0
    assert lookup(staff_login("renhe"), booth, id_number=id_number()).status_code == 200


class TestTheHolderIsTold:
    @pytest.fixture
    def app_settings(self, app_settings, fake_wechat):
        return {**app_settings, **fake_wechat.settings, "WECHAT_REVIEW_TEMPLATE_ID": "tpl-review"}

    def test_the_holder_of_a_voided_application_gets_a_subscribe_message(self, staff_login, seeded, fake_wechat):
        booth = venue_of(seeded, "仁和镇").booths[0]
        make_application(venue_of(seeded, "仁和镇"), id_no=(id_no := id_number()), worker=make_worker("oid-holder"))
        voided = lookup(staff_login("booth"), booth, "/void", id_number=id_no, reason="本人持身份证到场")
        assert voided.status_code == 200
        (message,) = fake_wechat.subscribe_messages
        assert message["touser"] == "oid-holder" and message["data"]["phrase2"]["value"] == "已作废"
        assert db.session.scalar(select(MembershipApplication.voided_at))
