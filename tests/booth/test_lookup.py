"""Booth help: staff look a person up by the ID card in their hand, move the application to the person's phone
with a one-time code, or void one filed with their ID number by someone else (issue 12 item 4b, issue 10 item 4)."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, MutualAidCardApplication
from app.models.card import CardStatus


def lookup(staff, booth, action: str = "", **form):
    page = f"/booths/{booth.id}/lookup"
    return staff.post_form(page + action, form, token_page=page)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_booth_staff_see_where_an_id_numbers_application_stands_and_the_lookup_is_audited(
    staff_login, seeded, mp_worker, join_form
):
    booth = seeded.meeting.venues[0].booths[0]
    form = join_form()
    mp_worker().join(form)
    page = lookup(staff_login("booth"), booth, id_number=form["id_number"].lower())
    assert page.status_code == 200
    assert "已提交，待审核" in page.text and "王**" in page.text and "仁和镇总工会" in page.text
    assert audit_actions() == ["application.lookup"]
    empty = lookup(staff_login("booth"), booth, id_number=join_form()["id_number"])
    assert "没有正在办理的申请" in empty.text


def test_a_mistyped_id_number_is_shown_on_the_page(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    page = lookup(staff_login("booth"), booth, id_number="110105194912310021")
    assert page.status_code == 422 and "身份证号校验位不正确" in page.text


def test_staff_of_another_booth_may_not_look_people_up_here(staff_login, seeded, join_form):
    booth = seeded.meeting.venues[-1].booths[-1]
    assert lookup(staff_login("booth"), booth, id_number=join_form()["id_number"]).status_code == 403


def test_the_code_given_at_the_booth_moves_the_application_to_the_workers_new_phone(
    staff_login, seeded, mp_worker, join_form
):
    booth = seeded.meeting.venues[0].booths[0]
    form = join_form()
    application_id = mp_worker("old-phone").join(form).json["id"]
    page = lookup(staff_login("booth"), booth, "/code", id_number=form["id_number"])
    code = re.search(r'id="recovery-code">(\d{6})<', page.text).group(1)
    new_phone = mp_worker("new-phone")
    wrong_code = "111111" if code == "000000" else "000000"
    wrong = new_phone.post("/membership-applications/recover",
                           {"id_number": form["id_number"], "recovery_code": wrong_code})
    assert wrong.status_code == 404
    moved = new_phone.post("/membership-applications/recover", {"id_number": form["id_number"], "recovery_code": code})
    assert (moved.status_code, moved.json["id"]) == (200, application_id)
    again = mp_worker("third-phone").post("/membership-applications/recover",
                                          {"id_number": form["id_number"], "recovery_code": code})
    assert again.status_code == 404  # a code works once
    assert "application.recovery_code" in audit_actions()


def test_voiding_an_application_filed_with_someone_elses_id_frees_the_id_at_once(
    staff_login, seeded, mp_worker, join_form, entry_code
):
    booth = seeded.meeting.venues[0].booths[0]
    form = join_form()
    impostor = mp_worker("impostor")
    filed = impostor.join({**form, "name": "冒名者"}).json
    impostor.post("/mutual-aid-card-applications", {"entry_code": entry_code, "delivery": "onsite", "consent": True})
    staff = staff_login("booth")
    refused = lookup(staff, booth, "/void", id_number=form["id_number"], reason="")
    assert refused.status_code == 422 and "请写明核实情况" in refused.text
    voided = lookup(staff, booth, "/void", id_number=form["id_number"], reason="本人持身份证到场，未在其他手机申请")
    assert voided.status_code == 200 and "已作废" in voided.text
    assert impostor.get(f"/membership-applications/{filed['id']}").json["status_text"] == "已作废"
    card = db.session.scalar(select(MutualAidCardApplication))
    assert card.status is CardStatus.REJECTED
    real_person = mp_worker("real-person")
    assert real_person.join(form).status_code == 201
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "application.void"))
    assert entry.target_id == filed["id"] and entry.detail["reason"] == "本人持身份证到场，未在其他手机申请"


def test_the_console_links_to_the_booth_help_page(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    console = staff_login("booth").get(f"/booths/{booth.id}/console").text
    assert f'href="/booths/{booth.id}/lookup"' in console
