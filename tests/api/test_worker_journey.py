"""What a worker's phone learns after joining: next step, member number, a return to fix, the card up front,
the way back to an application filed on another phone, and the notices (issue 12; issue 10 item 4)."""

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.afterday import review
from tests.factories import id_number


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "REVIEW_WORKING_DAYS": 7}


def renhe_admin() -> User:
    return db.session.scalar(select(User).where(User.username == "renhe"))


def test_the_join_answer_says_who_reviews_how_long_it_takes_and_offers_the_card(mp_worker, join_form):
    answer = mp_worker().join(join_form()).json
    assert answer["status_text"] == "已提交，等待工会审核"
    assert answer["reviewing_org"] == {"name": "仁和镇总工会"} and answer["review_days"] == 7
    assert (answer["member_no"], answer["return_reason"], answer["returned_fields"]) == (None, None, [])
    assert answer["card_eligibility"] == {"available": True, "code": None, "message": None}


def test_the_member_number_reaches_the_worker_once_approved(mp_worker, join_form):
    owner = mp_worker()
    application_id = owner.join(join_form()).json["id"]
    approved = review.approve(renhe_admin(), application_id)
    mine = owner.get("/me").json["membership_applications"][0]
    assert (mine["status_text"], mine["member_no"]) == ("已入会", approved.member_no)


def test_a_return_names_its_reason_and_fields_until_the_worker_resubmits(mp_worker, join_form):
    owner, form = mp_worker(), join_form(residence="顺义区仁和镇")
    application_id = owner.join(form).json["id"]
    review.return_for_correction(renhe_admin(), application_id, "请填写单位全称", fields=["employer", "bogus"])
    returned = owner.get(f"/membership-applications/{application_id}").json
    assert (returned["status_text"], returned["return_reason"]) == ("需要修改后重新提交", "请填写单位全称")
    assert returned["returned_fields"] == ["employer"]
    # The form comes back with the worker's own answers (PII masked) to prefill it.
    assert (returned["employer"], returned["residence"]) == ("北京顺义物流有限公司", "顺义区仁和镇")
    assert returned["id_number"].endswith(form["id_number"][-4:]) and "*" in returned["id_number"]
    correction = {"employer": "北京顺义物流有限公司仁和分公司"}
    fixed = owner.patch(f"/membership-applications/{application_id}", correction).json
    assert (fixed["status"], fixed["return_reason"], fixed["returned_fields"]) == ("submitted", None, [])
    assert fixed["employer"] == "北京顺义物流有限公司仁和分公司" and fixed["residence"] == "顺义区仁和镇"


def test_a_61_year_old_man_is_told_up_front_that_the_card_is_not_for_him(mp_worker, join_form, entry_code):
    worker = mp_worker()
    answer = worker.join(join_form(id_number=id_number(date(1965, 3, 1)))).json
    refusal = answer["card_eligibility"]
    assert (refusal["available"], refusal["code"]) == (False, "card_not_eligible")
    assert "男性未满60周岁" in refusal["message"]
    assert worker.get("/me").json["card_eligibility"] == refusal
    entry = worker.get(f"/entries/{entry_code}").json
    assert entry["actions"] == [] and entry["card_eligibility"] == refusal


def test_me_says_the_card_needs_a_membership_first_and_then_that_it_was_applied_for(mp_worker, join_form, entry_code):
    worker = mp_worker()
    assert worker.get("/me").json["card_eligibility"]["code"] == "membership_required"
    worker.join(join_form())
    card = worker.post("/mutual-aid-card-applications", {"entry_code": entry_code, "delivery": "onsite",
                                                         "consent": True})
    assert card.json["status_text"] == "已受理，工会将统一报送银行制卡"
    assert worker.get("/me").json["card_eligibility"]["code"] == "card_already_applied"


def test_recovery_attempts_on_one_id_number_are_limited_whoever_makes_them(app, mp_worker, join_form):
    app.config["RATELIMIT_MP_RECOVER_PER_ID"] = "3/hour"
    form = join_form()
    mp_worker("owner").join(form)
    attempts = [mp_worker(f"guesser-{n}").post("/membership-applications/recover",
                                               {"id_number": form["id_number"], "recovery_code": f"00000{n}"})
                for n in range(4)]
    assert [a.status_code for a in attempts] == [404, 404, 404, 429]
    assert attempts[-1].json["error"]["code"] == "rate_limited"
    other = mp_worker("other").post("/membership-applications/recover",
                                    {"id_number": id_number(), "recovery_code": "000009"})
    assert other.status_code == 404


def test_one_token_may_learn_only_a_few_statuses_then_gets_a_generic_answer(app, mp_worker, join_form):
    app.config["RATELIMIT_MP_STATUS_PER_TOKEN"] = "3/hour"
    taken = [join_form() for _ in range(4)]
    for n, form in enumerate(taken):
        mp_worker(f"owner-{n}").join(form)
    prober = mp_worker("prober")
    answers = [prober.join({**form, "name": "李四"}) for form in taken]
    assert [a.status_code for a in answers] == [409, 409, 409, 429]
    assert answers[-1].json["error"] == {"code": "rate_limited", "message": "操作太频繁，请稍后再试", "fields": {}}
    # Even a fresh ID number is refused now: a 201 would tell as much as a 409.
    assert prober.join(join_form()).status_code == 429
    assert mp_worker("neighbour").join(join_form()).status_code == 201


def test_the_privacy_notice_says_how_long_data_is_kept_and_whom_to_ask(client):
    notice = client.get("/mp/v1/privacy-notice").json
    assert notice["title"] == "个人信息保护说明" and notice["version"] == "2026-12"
    text = " ".join(section["heading"] + section["body"] for section in notice["sections"])
    assert "180天（约6个月）" in text and "北京银行" in text and "撤回" in text
    assert notice["contact"]
    page = client.get("/privacy").text
    assert notice["sections"][0]["body"] in page and notice["contact"] in page


def test_the_privacy_notice_says_what_the_phone_keeps_and_for_how_long(client):
    sections = {section["heading"]: section["body"] for section in client.get("/mp/v1/privacy-notice").json["sections"]}
    on_the_phone = sections["您的手机上保存什么"]
    assert "身份证号" in on_the_phone and "最长保存24小时" in on_the_phone and "已是会员时立即删除" in on_the_phone
    assert "工作单位" in sections["保存多久"] and "审核原因" in sections["保存多久"]


def test_the_card_notice_explains_the_card_and_its_age_rule(client):
    info = client.get("/mp/v1/card-info").json
    headings = [section["heading"] for section in info["sections"]]
    assert "什么是互助服务卡" in headings and "费用" in headings
    assert "男性未满60周岁、女性未满55周岁" in " ".join(section["body"] for section in info["sections"])


def test_a_deployment_replaces_the_card_notice_with_its_own_file(app, client, tmp_path):
    own = tmp_path / "card.json"
    own.write_text('{"title": "京卡须知", "sections": [{"heading": "领卡", "body": "到镇工会领取"}]}', encoding="utf-8")
    app.config["CARD_INFO_FILE"] = str(own)
    assert client.get("/mp/v1/card-info").json == {"title": "京卡须知",
                                                   "sections": [{"heading": "领卡", "body": "到镇工会领取"}]}
