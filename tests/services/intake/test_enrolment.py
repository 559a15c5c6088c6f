"""The join rules: one live application per person, idempotent retries, resubmission and withdrawal."""

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import ApplicationStatus, EntryCode, MeetingStatus, MembershipApplication, User
from app.services.afterday import review
from app.services.intake import enrolment
from app.services.setup import entry_codes
from tests.factories import id_number, make_worker


@pytest.fixture
def form(join_form):
    return join_form


def submit(worker, form, key=None):
    return enrolment.submit_application(worker.id, form, key)


def error_of(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


def test_an_application_is_routed_to_the_venue_host_org_with_gender_and_birth_date_from_the_id(seeded, form):
    submission = submit(make_worker(), form(id_number=id_number(date(1988, 3, 9), female=True)))
    assert (submission.status, submission.application.host_org_name) == (201, "仁和镇")
    stored = db.session.get(MembershipApplication, submission.application.id)
    assert stored.host_org.name == "仁和镇"
    assert (stored.gender, stored.birth_date) == ("女", date(1988, 3, 9))
    assert stored.booth.name == "入会岗"


def test_the_same_worker_submitting_again_gets_the_existing_application_unchanged(seeded, form):
    worker, body = make_worker(), form()
    first = submit(worker, body)
    again = submit(worker, {**body, "employer": "另一家公司"})
    assert (again.status, again.application.id) == (200, first.application.id)
    assert again.application.employer == "北京顺义物流有限公司"


def test_an_idempotency_key_replays_the_first_answer(seeded, form):
    worker, body = make_worker(), form()
    first = submit(worker, body, key="tap-1")
    replayed = submit(worker, body, key="tap-1")
    assert (replayed.status, replayed.application.id) == (201, first.application.id)
    assert db.session.query(MembershipApplication).count() == 1


def test_a_retry_after_the_meeting_closed_still_gets_the_first_answer(seeded, form):
    worker, body = make_worker(), form()
    first = submit(worker, body, key="tap-1")
    seeded.meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    replayed = submit(worker, body, key="tap-1")
    assert (replayed.status, replayed.application.id) == (201, first.application.id)
    assert error_of(lambda: submit(worker, form(), key="tap-2")).status == 410


def test_a_full_width_copy_of_a_live_id_number_is_the_same_person(seeded, form):
    id_no = id_number()
    submit(make_worker(), form(id_number=id_no))
    full_width = id_no.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert error_of(lambda: submit(make_worker(), form(id_number=full_width))).code == "already_applied"


def test_an_approved_member_cannot_apply_again_from_another_phone(seeded, form):
    body = form()
    application = submit(make_worker(), body).application
    review.approve(renhe(), application.id)
    conflict = error_of(lambda: submit(make_worker(), body))
    assert (conflict.code, conflict.status) == ("already_member", 409)


def test_every_bad_field_is_named_in_one_answer(seeded, form):
    bad = form(name="  ", id_number="110105194912310021", mobile="12345", employer_credit_code="9135", consent=False)
    error = error_of(lambda: submit(make_worker(), bad))
    assert error.status == 422
    assert set(error.fields) == {"name", "id_number", "mobile", "employer_credit_code", "consent"}


def test_the_mobile_may_be_left_out_once_wechat_verified_the_phone(seeded, form):
    from app.services import privacy

    worker = make_worker()
    worker.phone_enc = privacy.encrypt("13700001111")
    application = submit(worker, form(mobile=None)).application
    assert privacy.decrypt(application.mobile_enc) == "13700001111"
    assert error_of(lambda: submit(make_worker(), form(mobile=""))).fields == {"mobile": "请填写手机号"}


def test_a_closed_meeting_refuses_new_applications(seeded, form):
    seeded.meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    assert error_of(lambda: submit(make_worker(), form())).status == 410


def test_a_revoked_code_is_not_found(seeded, form, entry_code):
    entry_codes.revoke_code(db.session.scalar(select(EntryCode).where(EntryCode.code == entry_code)))
    db.session.commit()
    assert error_of(lambda: submit(make_worker(), form())).code == "entry_code_not_found"


def test_a_returned_application_is_corrected_and_submitted_again(seeded, form):
    worker = make_worker()
    application = submit(worker, form()).application
    review.return_for_correction(renhe(), application.id, "工作单位请写全称")
    corrected = enrolment.resubmit_application(worker, application.id, {"employer": "北京顺义物流有限公司顺义分公司"})
    assert corrected.status is ApplicationStatus.SUBMITTED
    assert corrected.employer == "北京顺义物流有限公司顺义分公司"


def test_only_a_returned_application_can_be_resubmitted(seeded, form):
    worker = make_worker()
    application = submit(worker, form()).application
    assert error_of(lambda: enrolment.resubmit_application(worker, application.id, {})).code == "not_returned"


def test_a_withdrawn_application_frees_the_id_number_for_a_new_one(seeded, form):
    worker, body = make_worker(), form()
    application = submit(worker, body).application
    assert enrolment.withdraw_application(worker, application.id).status is ApplicationStatus.WITHDRAWN
    assert submit(make_worker(), body).status == 201
    assert error_of(lambda: enrolment.withdraw_application(worker, application.id)).code == "not_withdrawable"


def test_another_workers_application_is_as_unknown_as_a_missing_one(seeded, form):
    application = submit(make_worker(), form()).application
    stranger = make_worker()
    for call in (
        lambda: enrolment.own_application(stranger, application.id),
        lambda: enrolment.withdraw_application(stranger, application.id),
        lambda: enrolment.resubmit_application(stranger, application.id, {}),
    ):
        assert error_of(call).status == 404


def renhe() -> User:
    return db.session.scalar(select(User).where(User.username == "renhe"))
