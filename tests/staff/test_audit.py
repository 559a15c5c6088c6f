"""The audit log viewer: the district reads who saw full PII; nobody else opens it."""

from datetime import timedelta

from app.services.local_time import now_in_shanghai
from tests.factories import make_application


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


def test_the_audit_log_filters_by_actor_and_beijing_date(staff_login, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    staff_login("renhe").post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}")
    district = staff_login("district")
    today = now_in_shanghai().date()

    assert f"#{application.id}" in district.get(f"/audit?username=renhe&since={today}&until={today}").text
    assert f"#{application.id}" not in district.get("/audit?username=district").text
    assert f"#{application.id}" not in district.get(f"/audit?since={today + timedelta(days=1)}").text
