"""POST/GET/PATCH/DELETE /mp/v1/membership-applications as a phone sees them."""

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import ApplicationStatus, MeetingStatus, MembershipApplication, User
from app.services.afterday import review


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "RATELIMIT_MP_SUBMIT_PER_TOKEN": "5/minute"}


def test_a_join_is_created_once_and_a_double_tap_gets_the_same_application(mp_worker, join_form):
    worker, form = mp_worker(), join_form()
    first = worker.join(form)
    again = worker.join(form)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert first.json["name"] == "王**" and first.json["status_label"] == "已提交，待审核"


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(mp_worker, join_form):
    worker, form = mp_worker(), join_form()
    first = worker.join(form, idempotency_key="4f1c-retry")
    retried = worker.join(form, idempotency_key="4f1c-retry")
    assert (retried.status_code, retried.json) == (201, first.json)
    assert db.session.query(MembershipApplication).count() == 1


def test_another_worker_with_the_same_id_number_learns_nothing_about_the_first(mp_worker, join_form):
    form = join_form()
    mp_worker("first").join(form)
    response = mp_worker("second").join({**form, "name": "李四"})
    assert response.status_code == 409
    assert response.json == {"error": {"code": "already_applied", "message": "该身份证号已有一份正在办理的入会申请",
                                       "fields": {}}}


def test_field_errors_come_back_in_chinese_keyed_by_field(mp_worker, join_form):
    response = mp_worker().join(join_form(id_number="110105194912310021", mobile="1391234", industry="挖矿"))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error" and set(error["fields"]) == {"industry"}
    response = mp_worker().join(join_form(id_number="110105194912310021", mobile="1391234"))
    assert response.json["error"]["fields"] == {
        "id_number": "身份证号校验位不正确，请核对后重新输入",
        "mobile": "手机号应为11位，以1开头",
    }


def test_missing_and_mistyped_fields_are_named(mp_worker):
    response = mp_worker().join({"name": 5, "consent": "maybe"})
    fields = response.json["error"]["fields"]
    assert response.status_code == 422
    assert fields["name"] == "姓名格式不正确" and fields["id_number"] == "请填写身份证号"
    assert set(fields) >= {"entry_code", "employer", "consent", "consent_version"}


@pytest.mark.parametrize("consent", ["true", "yes", "1", 1, "on"])
def test_consent_is_the_json_boolean_true_and_nothing_else(mp_worker, join_form, consent):
    response = mp_worker().join(join_form(consent=consent))
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"consent": "入会承诺与个人信息使用同意格式不正确"}


def test_malformed_json_is_a_400_and_a_non_object_a_422(mp_worker):
    worker = mp_worker()
    broken = worker.client.post("/mp/v1/membership-applications", data="{not json", content_type="application/json",
                                headers=worker.headers())
    assert (broken.status_code, broken.json["error"]["code"]) == (400, "bad_request")
    listed = worker.post("/membership-applications", [1, 2])
    assert listed.status_code == 422 and listed.json["error"]["fields"] == {}


def test_a_body_over_64_kb_is_refused_with_413(mp_worker, join_form):
    response = mp_worker().join(join_form(residence="村" * 30000))
    assert (response.status_code, response.json["error"]["code"]) == (413, "payload_too_large")
    assert db.session.query(MembershipApplication).count() == 0


def test_a_closed_meeting_answers_410_and_a_revoked_code_404(mp_worker, join_form, seeded, entry_code):
    worker = mp_worker()
    seeded.meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    assert worker.join(join_form()).status_code == 410
    assert worker.get(f"/entries/{entry_code}").json["error"]["code"] == "meeting_closed"
    assert worker.get("/entries/unknown-code-1").status_code == 404
    assert worker.get("/entries/bad%00code").status_code == 404


def test_the_raw_row_holds_no_plaintext_name_id_number_or_mobile(mp_worker, join_form):
    form = join_form()
    mp_worker().join(form)
    row = db.session.execute(text("SELECT * FROM membership_applications")).mappings().one()
    dumped = " ".join(str(bytes(v) if isinstance(v, bytes | memoryview) else v) for v in row.values())
    for secret in (form["name"], form["id_number"], form["mobile"], form["id_number"][-8:]):
        assert secret not in dumped


def test_another_workers_token_cannot_read_change_or_withdraw_an_application(mp_worker, join_form):
    application_id = mp_worker("owner").join(join_form()).json["id"]
    stranger = mp_worker("stranger")
    assert stranger.get(f"/membership-applications/{application_id}").status_code == 404
    assert stranger.patch(f"/membership-applications/{application_id}", {"employer": "x"}).status_code == 404
    assert stranger.delete(f"/membership-applications/{application_id}").status_code == 404
    assert stranger.get("/me").json["membership_applications"] == []


def test_a_returned_application_is_corrected_with_patch(mp_worker, join_form):
    owner = mp_worker()
    application_id = owner.join(join_form()).json["id"]
    assert owner.patch(f"/membership-applications/{application_id}", {}).json["error"]["code"] == "not_returned"
    renhe = db.session.scalar(select(User).where(User.username == "renhe"))
    review.return_for_correction(renhe, application_id, "请填写单位全称")
    returned = owner.get(f"/membership-applications/{application_id}").json
    assert (returned["status"], returned["decision_reason"]) == ("returned", "请填写单位全称")
    corrected = owner.patch(f"/membership-applications/{application_id}", {"employer": "北京顺义物流仁和分公司"})
    assert (corrected.status_code, corrected.json["status"]) == (200, "submitted")


def test_a_submitted_application_can_be_withdrawn_once(mp_worker, join_form):
    owner = mp_worker()
    application_id = owner.join(join_form()).json["id"]
    assert owner.delete(f"/membership-applications/{application_id}").json["status"] == "withdrawn"
    again = owner.delete(f"/membership-applications/{application_id}")
    assert (again.status_code, again.json["error"]["code"]) == (409, "not_withdrawable")
    assert db.session.get(MembershipApplication, application_id).status is ApplicationStatus.WITHDRAWN


def test_one_token_may_submit_only_so_often_even_behind_a_shared_address(mp_worker, join_form):
    busy, neighbour = mp_worker("busy"), mp_worker("neighbour")
    assert [busy.join(join_form()).status_code for _ in range(5)] == [201] * 5
    limited = busy.join(join_form())
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert neighbour.join(join_form()).status_code == 201


def test_one_address_has_a_generous_limit_of_its_own(app, mp_worker, join_form):
    app.config["RATELIMIT_MP_SUBMIT_PER_IP"] = "3/minute"
    workers = [mp_worker(f"colleague-{n}") for n in range(4)]
    assert [w.join(join_form()).status_code for w in workers] == [201, 201, 201, 429]
