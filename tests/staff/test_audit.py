"""The audit log viewer: the district reads who saw full PII; nobody else opens it."""

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
