"""找回我的申请 proves the person, not a typed pair (issue 22 item 2): the WeChat-verified phone or a booth's code,
never a typed mobile nor an H5 visitor alone; a membership moves only with the code; the old phone keeps a
read-only line and is told; withdrawal and correction wait a day after a move."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import ApplicationMove, AuditLog, MembershipApplication
from app.models.base import utcnow
from app.services import privacy
from app.services.afterday import review
from app.services.intake import booth_help
from tests.factories import account, id_number
from tests.mp_fixtures import API, WorkerClient

MOBILE = "13912345678"
CORRECTED = {"employer": "北京顺义物流有限公司仁和分公司"}
RECOVER = "/membership-applications/recover"


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings, "WECHAT_REVIEW_TEMPLATE_ID": "tpl-review"}


@pytest.fixture
def phone(mp_worker):
    """phone("new", verified="139…") → a WeChat worker, with that number verified through WeChat when given."""

    def sign_in(name: str, verified: str | None = None) -> WorkerClient:
        worker = mp_worker(name)
        if verified:
            assert worker.post("/auth/phone", {"code": f"phone:{verified}"}).status_code == 200
        return worker

    return sign_in


@pytest.fixture
def filed(phone, join_form, entry_code):
    """An application (with its card) filed on the phone "old-phone" with MOBILE: its form and id."""
    owner = phone("old-phone")
    form = join_form(mobile=MOBILE)
    application_id = owner.join(form).json["id"]
    owner.post("/mutual-aid-card-applications", {"entry_code": entry_code, "delivery": "onsite", "consent": True})
    return owner, form, application_id


def holder_of(application_id: int) -> str:
    db.session.expire_all()
    return db.session.get(MembershipApplication, application_id).worker.openid


def booth_code(seeded, id_no: str) -> str:
    booth = seeded.meeting.venues[0].booths[0]
    return booth_help.give_recovery_code(account("booth"), booth, id_no, None).recovery_code


def h5_visitor(app) -> WorkerClient:
    client = app.test_client()
    return WorkerClient(client, client.post(f"{API}/auth/h5").json["token"])


def test_a_typed_mobile_no_longer_recovers_an_application(phone, filed):
    _, form, application_id = filed
    unverified = phone("stranger").post(RECOVER, {"id_number": form["id_number"], "mobile": MOBILE})
    assert (unverified.status_code, unverified.json["error"]["code"]) == (403, "phone_not_verified")
    other_number = phone("neighbour", verified="13800000000").post(
        RECOVER, {"id_number": form["id_number"], "mobile": MOBILE}
    )
    assert (other_number.status_code, other_number.json["error"]["code"]) == (404, "recovery_failed")
    assert holder_of(application_id) == "oid-dev:old-phone"


def test_the_verified_wechat_phone_on_the_application_moves_it_and_the_old_phone_keeps_a_line(
    phone, filed, fake_wechat
):
    owner, form, application_id = filed
    new_phone = phone("new-phone", verified=MOBILE)
    recovered = new_phone.post(RECOVER, {"id_number": form["id_number"].lower()})
    assert (recovered.status_code, recovered.json["id"]) == (200, application_id)
    mine = new_phone.get("/me").json
    assert [a["id"] for a in mine["membership_applications"]] == [application_id]
    assert len(mine["card_applications"]) == 1 and mine["moved_applications"] == []
    old = owner.get("/me").json
    assert old["membership_applications"] == [] and old["card_applications"] == []
    (line,) = old["moved_applications"]
    assert (line["id"], line["status"], line["status_text"]) == (application_id, "moved_away", "已转到其他手机")
    assert line["id_number"] == form["id_number"][:3] + "*" * 11 + form["id_number"][-4:]
    assert line["name"] == "王**" and line["reviewing_org"] == {"name": "仁和镇总工会"}
    assert set(line) == {"id", "status", "status_text", "moved_at", "name", "id_number", "meeting_title",
                         "reviewing_org"}
    (message,) = fake_wechat.subscribe_messages
    assert message["touser"] == "oid-dev:old-phone" and message["data"]["phrase2"]["value"] == "已转走"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "application.recover"))
    assert entry.target_id == application_id and entry.detail["proof"] == "phone"
    # Moved back, it is the old phone's own again and no longer a line.
    owner.post("/auth/phone", {"code": f"phone:{MOBILE}"})
    assert owner.post(RECOVER, {"id_number": form["id_number"]}).status_code == 200
    assert owner.get("/me").json["moved_applications"] == []


def test_an_h5_visitor_cannot_recover_by_itself_but_the_booths_code_works(app, seeded, filed):
    _, form, application_id = filed
    visitor = h5_visitor(app)
    refused = visitor.post(RECOVER, {"id_number": form["id_number"], "mobile": MOBILE})
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "recovery_code_required")
    assert "工作人员" in refused.json["error"]["message"]
    code = booth_code(seeded, form["id_number"])
    moved = visitor.post(RECOVER, {"id_number": form["id_number"], "recovery_code": code})
    assert (moved.status_code, moved.json["id"]) == (200, application_id)


def test_an_approved_membership_moves_only_with_the_booths_code(seeded, phone, filed):
    _, form, application_id = filed
    review.approve(account("renhe"), application_id)
    new_phone = phone("new-phone", verified=MOBILE)
    refused = new_phone.post(RECOVER, {"id_number": form["id_number"]})
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "member_needs_recovery_code")
    assert holder_of(application_id) == "oid-dev:old-phone"
    code = booth_code(seeded, form["id_number"])
    assert new_phone.post(RECOVER, {"id_number": form["id_number"], "recovery_code": code}).status_code == 200


def test_withdrawal_and_correction_are_held_for_a_day_after_a_move(phone, filed):
    _, form, application_id = filed
    new_phone = phone("new-phone", verified=MOBILE)
    new_phone.post(RECOVER, {"id_number": form["id_number"]})
    held = new_phone.delete(f"/membership-applications/{application_id}")
    assert (held.status_code, held.json["error"]["code"]) == (409, "recently_moved")
    assert "24小时" in held.json["error"]["message"]
    review.return_for_correction(account("renhe"), application_id, "工作单位请填写全称")
    correction = new_phone.patch(f"/membership-applications/{application_id}", CORRECTED)
    assert (correction.status_code, correction.json["error"]["code"]) == (409, "recently_moved")
    db.session.execute(update(ApplicationMove).values(moved_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    corrected = new_phone.patch(f"/membership-applications/{application_id}", CORRECTED)
    assert corrected.status_code == 200
    assert new_phone.delete(f"/membership-applications/{application_id}").status_code == 200


def test_a_wrong_code_and_an_unknown_id_number_get_one_generic_answer(phone, filed):
    _, form, _ = filed
    stranger = phone("stranger", verified="13800000000")
    wrong_code = stranger.post(RECOVER, {"id_number": form["id_number"], "recovery_code": "000000"})
    wrong_phone = stranger.post(RECOVER, {"id_number": form["id_number"]})
    unknown = stranger.post(RECOVER, {"id_number": id_number()})
    assert wrong_code.status_code == wrong_phone.status_code == unknown.status_code == 404
    assert wrong_code.json == wrong_phone.json == unknown.json


def test_purging_an_ended_application_forgets_the_phone_it_moved_from(app, phone, filed):
    owner, form, application_id = filed
    phone("new-phone", verified=MOBILE).post(RECOVER, {"id_number": form["id_number"]})
    review.void_misused(account("renhe"), application_id, "本人持身份证到镇工会核实")
    privacy.purge_expired(utcnow() + timedelta(days=app.config["RETENTION_DAYS"] + 1))
    assert db.session.scalar(select(ApplicationMove)) is None
    assert owner.get("/me").json["moved_applications"] == []
