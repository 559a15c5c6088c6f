"""What a worker sees in GET /mp/v1/me after a town union approves, returns or rejects their application."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.afterday import review


def renhe_admin() -> User:
    return db.session.scalar(select(User).where(User.username == "renhe"))


def submitted(worker, join_form) -> int:
    response = worker.join(join_form())
    assert response.status_code == 201, response.json
    return response.json["id"]


def my_application(worker) -> dict:
    response = worker.get("/me")
    assert response.status_code == 200
    (application,) = response.json["membership_applications"]
    return application


def test_an_approval_shows_as_approved_with_the_member_number(mp_worker, join_form):
    worker = mp_worker("wang")
    application_id = submitted(worker, join_form)
    assert my_application(worker)["status"] == "submitted"
    approved = review.approve(renhe_admin(), application_id)
    shown = my_application(worker)
    assert (shown["status"], shown["status_label"]) == ("approved", "已通过")
    assert shown["member_no"] == approved.member_no


@pytest.mark.parametrize(
    ("decide", "status", "label"),
    [(review.return_for_correction, "returned", "已退回，请修改后重新提交"), (review.reject, "rejected", "未通过")],
)
def test_a_return_or_rejection_shows_the_reason(mp_worker, join_form, decide, status, label):
    worker = mp_worker("li")
    application_id = submitted(worker, join_form)
    decide(renhe_admin(), application_id, "工作单位请填写营业执照上的全称")
    shown = my_application(worker)
    assert (shown["status"], shown["status_label"]) == (status, label)
    assert shown["decision_reason"] == "工作单位请填写营业执照上的全称"
    assert shown["member_no"] is None
