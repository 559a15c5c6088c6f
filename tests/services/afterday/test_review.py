"""Reviewing membership applications: scope, decisions, member numbers, audit, the worker's message."""

import threading

import pytest
from sqlalchemy import event, func, select

from app import create_app
from app.errors import AppError
from app.extensions import db
from app.models import ApplicationStatus, AuditLog, MembershipApplication, Org, User
from app.services.afterday import card_processing, review
from app.services.afterday.card_processing import CardFilters
from app.services.afterday.review import QueueFilters
from app.services.paging import PageRequest
from tests.factories import id_number, make_application, make_card, make_worker


def venue_of(seeded, town: str):
    return next(v for v in seeded.meeting.venues if v.host_org.name == town)


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def queued(username: str, **filters) -> list[int]:
    """The ids on the first page of the user's queue."""
    return [a.id for a in review.queue(user(username), QueueFilters(**filters), PageRequest()).items]


def test_org_admin_queue_holds_only_its_own_towns_applications(seeded):
    mine = make_application(venue_of(seeded, "仁和镇"))
    make_application(venue_of(seeded, "天竺镇"))
    assert queued("renhe") == [mine.id]
    assert len(queued("district")) == 2


def test_org_admin_cannot_see_or_decide_another_towns_application(seeded):
    theirs = make_application(venue_of(seeded, "天竺镇"))
    renhe = user("renhe")
    for attempt in (
        lambda: review.get_for_review(renhe, theirs.id),
        lambda: review.approve(renhe, theirs.id),
        lambda: review.reject(renhe, theirs.id, "不符合条件"),
        lambda: review.approve_batch(renhe, [theirs.id]),
    ):
        with pytest.raises(AppError) as caught:
            attempt()
        assert caught.value.status == 404
    db.session.expire_all()
    assert theirs.status is ApplicationStatus.SUBMITTED


def test_booth_staff_and_viewers_cannot_review(seeded):
    for username in ("booth", "viewer"):
        with pytest.raises(AppError) as caught:
            queued(username)
        assert caught.value.status == 403


def test_queue_filters_by_new_form_job_and_status(seeded):
    venue = venue_of(seeded, "仁和镇")
    courier = make_application(venue, new_form_job="快递员")
    make_application(venue, new_form_job="none")
    make_application(venue, new_form_job="快递员", status=ApplicationStatus.RETURNED)
    assert queued("renhe", new_form_job="快递员") == [courier.id]


def test_approval_assigns_a_readable_member_number_and_is_audited(seeded):
    application = make_application(venue_of(seeded, "仁和镇"))
    review.approve(user("renhe"), application.id, ip="10.0.0.8")
    org_id = application.host_org_id
    assert application.status is ApplicationStatus.APPROVED
    assert application.member_no.startswith(f"{org_id:03d}-")
    assert application.member_no.endswith("-000001")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "application.approve"))
    assert (entry.target_id, entry.user_id, entry.ip) == (application.id, user("renhe").id, "10.0.0.8")


def test_member_numbers_continue_the_orgs_sequence(seeded):
    venue = venue_of(seeded, "仁和镇")
    first, second, third = (make_application(venue) for _ in range(3))
    review.approve(user("renhe"), first.id)
    review.approve_batch(user("renhe"), [second.id, third.id])
    assert [a.member_no[-6:] for a in (first, second, third)] == ["000001", "000002", "000003"]


def test_return_and_reject_need_a_reason_the_worker_will_see(seeded):
    venue = venue_of(seeded, "仁和镇")
    returned, rejected = make_application(venue), make_application(venue)
    with pytest.raises(AppError) as caught:
        review.return_for_correction(user("renhe"), returned.id, "  ")
    assert caught.value.status == 422 and "reason" in caught.value.fields
    review.return_for_correction(user("renhe"), returned.id, "工作单位请填写全称")
    review.reject(user("renhe"), rejected.id, "非本区务工人员")
    assert (returned.status, returned.decision_reason) == (ApplicationStatus.RETURNED, "工作单位请填写全称")
    assert (rejected.status, rejected.decision_reason) == (ApplicationStatus.REJECTED, "非本区务工人员")
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"application.return", "application.reject"} <= actions


def test_an_approved_application_cannot_be_approved_again(seeded):
    application = make_application(venue_of(seeded, "仁和镇"))
    review.approve(user("renhe"), application.id)
    with pytest.raises(AppError) as caught:
        review.approve(user("district"), application.id)
    assert caught.value.code == "not_reviewable"


def test_batch_approve_is_all_or_nothing_when_one_application_is_out_of_scope(seeded):
    mine = [make_application(venue_of(seeded, "仁和镇")) for _ in range(3)]
    theirs = make_application(venue_of(seeded, "天竺镇"))
    with pytest.raises(AppError):
        review.approve_batch(user("renhe"), [a.id for a in mine] + [theirs.id])
    db.session.expire_all()
    assert all(a.status is ApplicationStatus.SUBMITTED and a.member_no is None for a in mine)


def test_batch_approve_skips_what_another_reviewer_already_decided(seeded):
    venue = venue_of(seeded, "仁和镇")
    decided, waiting = make_application(venue), make_application(venue)
    review.reject(user("district"), decided.id, "重复提交")
    result = review.approve_batch(user("renhe"), [decided.id, waiting.id])
    assert [a.id for a in result.approved] == [waiting.id] and result.skipped == 1
    assert decided.status is ApplicationStatus.REJECTED


def test_transfer_routes_the_application_to_the_other_towns_queue(seeded):
    application = make_application(venue_of(seeded, "仁和镇"))
    tianzhu_id = db.session.scalar(select(Org.id).where(Org.name == "天竺镇"))
    review.transfer(user("renhe"), application.id, tianzhu_id)
    assert queued("renhe") == []
    assert queued("tianzhu") == [application.id]


def test_a_card_follows_its_application_to_the_new_town(seeded):
    application = make_application(venue_of(seeded, "仁和镇"))
    make_card(application)
    tianzhu_id = db.session.scalar(select(Org.id).where(Org.name == "天竺镇"))

    review.transfer(user("renhe"), application.id, tianzhu_id)

    def desk(username: str) -> list[int]:
        page = card_processing.card_page(user(username), CardFilters(status=None), PageRequest())
        return [card.membership_application_id for card in page.items]

    assert desk("renhe") == []
    assert desk("tianzhu") == [application.id]


def test_reveal_gives_the_full_identity_and_logs_who_saw_it(seeded):
    id_no = id_number()
    application = make_application(venue_of(seeded, "仁和镇"), name="李四", id_no=id_no, mobile="13912345678")
    _, identity = review.reveal_identity(user("renhe"), application.id, ip="10.0.0.9")
    assert (identity.name, identity.id_number, identity.mobile) == ("李四", id_no, "13912345678")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "pii.reveal"))
    assert (entry.user_id, entry.target_id) == (user("renhe").id, application.id)


class TestSubscribeMessage:
    @pytest.fixture
    def app_settings(self, app_settings, fake_wechat):
        return {**app_settings, **fake_wechat.settings, "WECHAT_REVIEW_TEMPLATE_ID": "tpl-review"}

    def test_the_worker_gets_a_subscribe_message_with_the_result(self, seeded, fake_wechat):
        application = make_application(venue_of(seeded, "仁和镇"), worker=make_worker("oid-worker-1"))
        review.return_for_correction(user("renhe"), application.id, "请补充工作单位")
        (message,) = fake_wechat.subscribe_messages
        assert message["touser"] == "oid-worker-1" and message["template_id"] == "tpl-review"
        assert message["data"]["phrase2"]["value"] == "已退回"
        assert message["data"]["thing3"]["value"] == "请补充工作单位"

    def test_a_refused_message_does_not_undo_the_approval(self, seeded, fake_wechat):
        application = make_application(venue_of(seeded, "仁和镇"), worker=make_worker("oid-refuse-1"))
        review.approve(user("renhe"), application.id)
        db.session.expire_all()
        assert application.status is ApplicationStatus.APPROVED and application.member_no
        assert fake_wechat.subscribe_messages == []


@pytest.mark.scaled_only
def test_two_admins_batch_approving_200_at_once_get_200_distinct_member_numbers(app, app_settings, seeded):
    venue = venue_of(seeded, "仁和镇")
    ids = [make_application(venue).id for _ in range(200)]
    halves = {"renhe": ids[::2], "district": ids[1::2]}
    errors = []
    both_ready = threading.Barrier(2, timeout=30)

    def run(username: str) -> None:
        # Each admin in its own app context: its own session and database connection.
        with create_app(app_settings).app_context():
            try:
                admin = user(username)
                both_ready.wait()
                review.approve_batch(admin, halves[username])
            except Exception as exc:  # noqa: BLE001 — surfaced by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name,)) for name in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    numbers = db.session.scalars(select(MembershipApplication.member_no)).all()
    assert len(numbers) == 200 and None not in numbers and len(set(numbers)) == 200
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 201))


def test_a_batch_of_200_is_one_transaction(seeded):
    venue = venue_of(seeded, "仁和镇")
    ids = [make_application(venue).id for _ in range(200)]
    renhe = user("renhe")
    ended = []

    def count_outermost(session, transaction):
        if transaction.parent is None:  # savepoints are nested; only the outermost one is a commit
            ended.append(transaction)

    session = db.session()
    event.listen(session, "after_transaction_end", count_outermost)
    try:
        review.approve_batch(renhe, ids)
    finally:
        event.remove(session, "after_transaction_end", count_outermost)
    assert len(ended) == 1
    approved = select(func.count()).where(MembershipApplication.status == ApplicationStatus.APPROVED)
    assert db.session.scalar(approved) == 200
