"""The audit log viewer: the district reads who saw full PII; nobody else opens it; it pages by keyset."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from app.extensions import db
from app.models import AuditLog, User
from app.services import audit, paging, privacy
from app.services.local_time import now_in_shanghai
from app.services.paging import PAGE_SIZE, PageRequest
from tests.factories import account, make_application, make_worker
from tests.history import PREVIOUS, seed_audit_rows, walk


def test_district_admin_reads_who_revealed_an_applicants_identity(staff_login, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    renhe = staff_login("renhe")
    renhe.post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}")
    page = staff_login("district").get("/audit?action=pii.reveal").text
    assert "查看完整个人信息" in page and "仁和镇工会" in page and f"#{application.id}" in page


def test_the_audit_log_is_for_district_admins_only(staff_login, seeded):
    for username in ("renhe", "viewer", "booth"):
        assert staff_login(username).get("/audit").status_code == 403


def test_the_audit_log_names_objects_in_chinese_and_shows_details_without_escapes(staff_login, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    renhe = staff_login("renhe")
    renhe.post_form(f"/review/{application.id}/return", {"reason": "工作单位请填写全称"}, f"/review/{application.id}")
    renhe.post_form("/exports/applications", {}, "/exports")

    page = staff_login("district").get("/audit").text
    assert f"入会申请 #{application.id}" in page and "导出文件" in page
    assert "<dt>原因</dt><dd>工作单位请填写全称</dd>" in page
    assert "\\u" not in page
    for internal in ("membership_application", "mutual_aid_card_application", ">export<", "{&#34;", '{"'):
        assert internal not in page


def test_the_audit_log_names_booths_fields_and_the_address_of_an_undone_tap(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    token = re.search(r'data-csrf-token="([^"]+)"', staff.get(f"/booths/{booth.id}/console").text).group(1)
    staff.client.post(f"/api/booths/{booth.id}/tallies", headers={"X-CSRFToken": token},
                      json={"idempotency_key": "tap-audit-0001", "kind": "materials", "quantity": 5})
    staff.client.post(f"/api/booths/{booth.id}/tallies/undo", headers={"X-CSRFToken": token},
                      json={"idempotency_key": "undo-audit-0001", "undoes": "tap-audit-0001"})
    application = make_application(next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇"))
    staff_login("renhe").post_form(f"/review/{application.id}/return", {"reason": "请写全称", "fields": ["employer"]},
                                   f"/review/{application.id}")

    page = staff_login("district").get("/audit").text
    undone = row_of(page, "撤销岗位计数")
    assert f"<dt>岗位</dt><dd>{booth.venue.name} · {booth.name}</dd>" in undone
    assert "<td>127.0.0.1</td>" in undone
    assert "<dt>需修改的项目</dt><dd>工作单位</dd>" in page
    for internal in ("employer", "编号</dt>"):
        assert internal not in page


def test_a_workers_own_recovery_is_theirs_and_names_the_phones_masked(staff_login, seeded):
    application = make_application(seeded.meeting.venues[0])
    new_phone = make_worker()
    new_phone.phone_enc = privacy.encrypt("13912345678")  # verified through WeChat
    audit.record(None, "application.recover", "membership_application", application.id,
                 {"from_worker_id": application.worker_id, "to_worker_id": new_phone.id, "proof": "code"})
    db.session.commit()

    line = row_of(staff_login("district").get("/audit").text, "职工找回入会申请")
    assert "<td>职工本人</td>" in line and "系统" not in line
    assert "<dt>原手机</dt><dd>微信小程序</dd>" in line and "<dt>新手机</dt><dd>微信小程序 · 139****5678</dd>" in line
    assert line.endswith("<td>—</td>\n  ")  # no address recorded: a dash, not an empty cell


def test_the_audit_page_names_what_its_rows_point_at_without_a_statement_per_row(staff_login, seeded):
    booths = [(booth.id, f"{venue.name} · {booth.name}") for venue in seeded.meeting.venues for booth in venue.booths]
    district = staff_login("district")

    def statements_for_page_after(rows: int) -> int:
        for n in range(rows):
            audit.record(None, "application.recover_failed", "membership_application", None,
                         {"worker_id": make_worker().id, "booth_id": booths[n % len(booths)][0], "code": "x"})
        db.session.commit()
        db.session.remove()
        sent = []

        def count(*statement):
            sent.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = district.get("/audit").text
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert booths[0][1] in page
        return len(sent)

    assert statements_for_page_after(1) == statements_for_page_after(PAGE_SIZE - 1)


def row_of(page: str, action: str) -> str:
    """The audit table's row of the newest entry with this action."""
    at = page.index(f"<td>{action}</td>")
    return page[page.rindex("<tr>", 0, at):page.index("</tr>", at)]


def test_the_audit_log_filters_by_actor_and_beijing_date(staff_login, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    staff_login("renhe").post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}")
    district = staff_login("district")
    today = now_in_shanghai().date()

    assert f"#{application.id}" in district.get(f"/audit?username=renhe&since={today}&until={today}").text
    assert f"#{application.id}" not in district.get("/audit?username=district").text
    assert f"#{application.id}" not in district.get(f"/audit?since={today + timedelta(days=1)}").text


def offset_pages(*where) -> list[list[int]]:
    """The audit rows' ids as the OFFSET pages, newest first, that keyset paging replaced."""
    query = select(AuditLog.id).where(*where).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    pages, offset = [], 0
    while ids := db.session.scalars(query.offset(offset).limit(PAGE_SIZE)).all():
        pages.append(list(ids))
        offset += PAGE_SIZE
    return pages


def keyset_pages(wanted: audit.AuditFilter, backwards_from: str | None = None) -> list[list[int]]:
    pages, request = [], PageRequest(before=backwards_from) if backwards_from else PageRequest()
    while True:
        page = audit.search(account("district"), wanted, request)
        pages.append([line.entry.id for line in page.items])
        token = page.previous_token if backwards_from else page.next_token
        if token is None:
            return pages
        request = PageRequest(before=token) if backwards_from else PageRequest(after=token)


def seed_a_trail_out_of_id_order() -> None:
    """Rows whose ids do not follow their times (the later batch is older), and a few written at one instant."""
    seed_audit_rows(60, start=100)
    seed_audit_rows(100)
    moment = datetime(2026, 1, 3, tzinfo=UTC)
    db.session.execute(insert(AuditLog), [{"action": "pii.reveal", "target_type": "membership_application",
                                           "target_id": 900 + n, "detail": {}, "created_at": moment}
                                          for n in range(3)])
    db.session.commit()


@pytest.mark.parametrize(("wanted", "where"), [
    (audit.AuditFilter(), ()),
    (audit.AuditFilter(action="pii.reveal"), (AuditLog.action == "pii.reveal",)),
    (audit.AuditFilter(username="renhe"), (AuditLog.user_id == select(User.id).where(User.username == "renhe")
                                           .scalar_subquery(),)),
    (audit.AuditFilter(since=date(2026, 1, 2), until=date(2026, 1, 5)),
     (AuditLog.created_at >= audit.start_of_beijing_day(date(2026, 1, 2)),
      AuditLog.created_at < audit.start_of_beijing_day(date(2026, 1, 6)))),
], ids=["everything", "action", "actor", "dates"])
def test_keyset_pages_of_the_audit_trail_equal_the_offset_pages_they_replace(seeded, wanted, where):
    seed_a_trail_out_of_id_order()
    expected = offset_pages(*where)

    assert keyset_pages(wanted) == expected
    if len(expected) > 1:  # and back from the last page, by its 上一页
        first_of_last = db.session.get(AuditLog, expected[-1][0])
        token = paging.encoded((first_of_last.created_at, first_of_last.id))
        assert keyset_pages(wanted, backwards_from=token) == expected[-2::-1]
    assert audit.search(account("district"), wanted, PageRequest()).total is None  # the trail is never counted


def test_the_audit_page_walks_forward_and_back_keeping_its_filter(staff_login, seeded):
    seed_a_trail_out_of_id_order()
    target = re.compile(r"<td>入会申请 #(\d+)</td>")
    district = staff_login("district")

    pages, last = walk(district, "/audit?action=pii.reveal", target)
    reveals = [int(n) for n in db.session.scalars(
        select(AuditLog.target_id).where(AuditLog.action == "pii.reveal")
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()))]
    assert [int(n) for page in pages for n in page] == reveals and len(pages) == 2
    assert "action=pii.reveal" in last and "共" not in district.get(last).text
    back, _first = walk(district, last, target, PREVIOUS)
    assert back == pages[::-1]
