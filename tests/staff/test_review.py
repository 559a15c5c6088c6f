"""The review pages: another town's applications stay out of reach; decisions land and are shown."""

import html
import re

from app.extensions import db
from app.models import ApplicationStatus, AuditLog
from tests.factories import make_application
from tests.volume import seed_people


def venue_of(seeded, town: str):
    return next(v for v in seeded.meeting.venues if v.host_org.name == town)


def test_org_admin_gets_404_for_another_towns_application_and_cannot_decide_it(staff_login, seeded):
    theirs = make_application(venue_of(seeded, "天竺镇"), name="王五")
    renhe = staff_login("renhe")
    assert "王*" not in renhe.get("/review").text
    assert renhe.get(f"/review/{theirs.id}").status_code == 404
    for action, form in (("approve", {}), ("reject", {"reason": "不符合"}), ("return", {"reason": "补充"})):
        assert renhe.post_form(f"/review/{theirs.id}/{action}", form, "/review").status_code == 404
    assert renhe.post_form("/review/batch-approve", {"application_id": theirs.id}, "/review").status_code == 404
    db.session.expire_all()
    assert theirs.status is ApplicationStatus.SUBMITTED


def test_booth_staff_cannot_open_the_review_queue(staff_login, seeded):
    assert staff_login("booth").get("/review").status_code == 403


def test_queue_shows_masked_names_and_id_numbers(staff_login, seeded):
    make_application(venue_of(seeded, "仁和镇"), name="张三丰", id_no="110113199005170011")
    page = staff_login("renhe").get("/review").text
    assert "张**" in page and "110***********0011" in page
    assert "张三丰" not in page and "110113199005170011" not in page


def test_the_queue_badges_a_new_form_of_work_and_not_the_answer_no(staff_login, seeded):
    make_application(venue_of(seeded, "仁和镇"), name="张三丰", new_form_job="快递员")
    make_application(venue_of(seeded, "仁和镇"), name="李四", new_form_job="否")
    page = staff_login("renhe").get("/review").text
    assert '<span class="badge new-form">快递员</span>' in page
    assert ">否</span>" not in page


def test_the_detail_page_shows_the_birth_year_only_until_the_audited_reveal(staff_login, seeded):
    application = make_application(venue_of(seeded, "仁和镇"), id_no="110113199005170011")
    renhe = staff_login("renhe")
    masked = renhe.get(f"/review/{application.id}").text
    assert "110***********0011" in masked and "1990年" in masked
    assert "1990-05-17" not in masked and "110113" not in masked

    revealed = renhe.post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}").text
    assert "110113199005170011" in revealed and "1990-05-17" in revealed


def test_show_full_reveals_the_identity_and_writes_an_audit_row(staff_login, seeded):
    application = make_application(venue_of(seeded, "仁和镇"), name="张三丰", mobile="13812345678")
    renhe = staff_login("renhe")
    assert "13812345678" not in renhe.get(f"/review/{application.id}").text
    page = renhe.post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}")
    assert page.status_code == 200 and "张三丰" in page.text and "13812345678" in page.text
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "pii.reveal")).target_id == application.id


def test_returning_without_a_reason_is_refused_in_chinese(staff_login, seeded):
    application = make_application(venue_of(seeded, "仁和镇"))
    response = staff_login("renhe").post_form(f"/review/{application.id}/return", {"reason": ""}, "/review")
    assert response.status_code == 422 and "请填写原因" in response.text


def test_batch_approve_from_the_queue_gives_each_a_member_number(staff_login, seeded):
    venue = venue_of(seeded, "仁和镇")
    ids = [make_application(venue).id for _ in range(3)]
    renhe = staff_login("renhe")
    assert renhe.post_form("/review/batch-approve", {"application_id": ids}, "/review").status_code == 302
    page = renhe.get("/review?status=approved").text
    assert "已批量通过 3 份" in page
    assert page.count("-000") == 3


def test_the_queue_narrows_to_one_venue_of_a_meeting(staff_login, seeded):
    main = venue_of(seeded, "仁和镇")
    make_application(main, name="张三丰")
    district = staff_login("district")
    other = venue_of(seeded, "天竺镇")
    make_application(other, name="李四")
    page = district.get(f"/review?meeting={seeded.meeting.id}&venue_id={other.id}").text
    assert "李*" in page and "张**" not in page
    assert f'<option value="{main.id}"' in page


def test_transferring_moves_the_application_out_of_the_towns_queue(staff_login, seeded):
    application = make_application(venue_of(seeded, "仁和镇"), name="张三丰")
    tianzhu_id = venue_of(seeded, "天竺镇").host_org_id
    renhe = staff_login("renhe")
    response = renhe.post_form(f"/review/{application.id}/transfer", {"org_id": tianzhu_id}, "/review")
    assert response.status_code == 302
    assert "张**" not in renhe.get("/review").text
    assert "张**" in staff_login("tianzhu").get("/review").text


def test_the_reviewing_union_voids_an_application_filed_with_someone_elses_id_and_frees_the_id(
    staff_login, seeded, mp_worker, join_form
):
    form = join_form()
    filed = mp_worker("impostor").join({**form, "name": "冒名者"}).json
    renhe, tianzhu = staff_login("renhe"), staff_login("tianzhu")
    assert "作废（冒用身份证号）" in renhe.get(f"/review/{filed['id']}").text
    assert tianzhu.post_form(f"/review/{filed['id']}/void", {"reason": "本人来核实"}, "/review").status_code == 404
    assert renhe.post_form(f"/review/{filed['id']}/void", {"reason": ""}, "/review").status_code == 422
    voided = renhe.post_form(f"/review/{filed['id']}/void", {"reason": "本人持身份证来镇总工会核实"}, "/review")
    assert voided.status_code == 302
    assert mp_worker("real-person").join(form).status_code == 201
    entry = db.session.query(AuditLog).filter_by(action="application.void").one()
    assert entry.detail == {"via": "review", "reason": "本人持身份证来镇总工会核实", "status_before": "submitted"}


def test_the_queue_pages_from_its_oldest_to_its_newest_and_back_with_its_total(staff_login, seeded):
    waiting = [p.application_id for p in seed_people(180, seeded.meeting.venues) if p.member_no is None]
    district = staff_login("district")
    pages = list(walk(district, "/review"))
    assert [row_ids(page) for page in pages] == [waiting[:50], waiting[50:100], waiting[100:]]
    assert all("共 120 份" in page for page in pages)
    back = district.get(link(pages[-1], "prev")).text
    assert row_ids(back) == waiting[50:100] and link(back, "next")

    newest_first = district.get("/review?order=newest").text
    assert row_ids(newest_first) == waiting[::-1][:50] and "共 120 份" in newest_first


def walk(session, url: str):
    """Each page's text, following 下一页 to the end."""
    while url:
        text = session.get(url).text
        yield text
        url = link(text, "next")


def link(text: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', text)
    return html.unescape(found.group(1)) if found else None


def row_ids(text: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-application-id="(\d+)"', text)]
