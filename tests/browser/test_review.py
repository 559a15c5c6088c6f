"""In a real browser: a town admin approves one application and returns another with a reason."""

import pytest

from app.extensions import db
from app.models import ApplicationStatus
from tests.browser_fixtures import assert_accessible
from tests.factories import make_application

pytestmark = pytest.mark.browser


def test_org_admin_approves_one_and_returns_another_with_a_reason(live_server, page, sign_in, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    approved = make_application(venue, name="赵小明")
    returned = make_application(venue, name="钱小红")
    sign_in("renhe")

    page.get_by_role("link", name="入会审核").click()
    assert_accessible(page, "review-queue")
    page.get_by_role("link", name="赵**").click()
    page.get_by_role("button", name="通过").click()
    page.get_by_text("已通过，会员编号").wait_for()
    assert_accessible(page, "review-approved")

    page.get_by_role("link", name="钱**").click()
    page.get_by_label("退回原因（职工可见）").fill("工作单位请填写营业执照上的全称")
    page.get_by_role("button", name="退回修改").click()
    page.get_by_text("已退回，职工会看到退回原因").wait_for()
    assert_accessible(page, "review-returned")

    db.session.expire_all()
    assert approved.status is ApplicationStatus.APPROVED and approved.member_no
    assert returned.status is ApplicationStatus.RETURNED
    assert returned.decision_reason == "工作单位请填写营业执照上的全称"


def test_select_all_then_batch_approve_gives_every_application_a_member_number(live_server, page, sign_in, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    applications = [make_application(venue, name=f"孙{n}号") for n in range(5)]
    sign_in("renhe")
    page.goto(live_server.url + "/review")
    page.get_by_label("全选").check()
    page.get_by_role("button", name="批量通过所选").click()
    page.get_by_text("已批量通过 5 份").wait_for()
    assert_accessible(page, "review-batch-approved")
    db.session.expire_all()
    assert len({a.member_no for a in applications if a.status is ApplicationStatus.APPROVED}) == 5
