"""The day summary page, its Excel download, display links, and `flask intake rebuild`."""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, DisplayLink, TallyKind
from tests.intake_fixtures import bulk_joins, record_tally_row


def test_the_summary_page_says_the_day_in_the_union_s_words(staff_login, seeded):
    bulk_joins(seeded.meeting.venues[0], 3, cards=1)
    record_tally_row(seeded.meeting.venues[0].booths[0], TallyKind.MATERIALS, 50)

    page = staff_login("viewer").get(f"/meetings/{seeded.meeting.id}/summary")

    assert page.status_code == 200
    assert "发放宣传材料50份，接待咨询职工0人，现场扫码入会3人，办理互助服务卡1张" in page.text


def test_the_excel_download_is_an_audited_xlsx(staff_login, seeded):
    response = staff_login("district").get(f"/meetings/{seeded.meeting.id}/summary.xlsx")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.data[:2] == b"PK"
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.target_id == seeded.meeting.id)) == "summary_export"


def test_booth_staff_do_not_get_the_summary(staff_login, seeded):
    assert staff_login("booth").get(f"/meetings/{seeded.meeting.id}/summary").status_code == 403


def test_the_district_issues_a_display_link_on_the_meeting_page_and_revokes_it(staff_login, seeded, client):
    district = staff_login("district")
    meeting_page = f"/meetings/{seeded.meeting.id}"
    issued = district.post_form(f"{meeting_page}/display-links", {"label": "天竺分会场大屏"}, meeting_page)
    assert issued.headers["Location"].endswith(f"{meeting_page}#display-links")
    link = db.session.scalar(select(DisplayLink).where(DisplayLink.label == "天竺分会场大屏"))
    assert f"/display/{link.token}" in district.get(meeting_page).text
    assert client.get(f"/display/{link.token}").status_code == 200

    district.post_form(f"/display-links/{link.id}/revoke", {}, meeting_page)

    assert client.get(f"/display/{link.token}").status_code == 404
    assert f"/display/{link.token}" not in district.get(meeting_page).text


def test_the_meeting_page_shows_the_live_totals_with_legal_advice_on_its_own(staff_login, seeded):
    bulk_joins(seeded.meeting.venues[0], 4)
    record_tally_row(seeded.meeting.venues[0].booths[2], TallyKind.LEGAL, 2)

    page = staff_login("viewer").get(f"/meetings/{seeded.meeting.id}").text

    assert '<dd data-metric="joins">4</dd>' in page
    assert '<dd data-metric="consultations">2</dd>' in page and '<dd data-metric="legal">2</dd>' in page
    assert "data-stream-url=" in page


def test_booth_staff_do_not_open_the_meeting_page_and_its_display_links(staff_login, seeded):
    response = staff_login("booth").get(f"/meetings/{seeded.meeting.id}")
    assert response.status_code == 403 and seeded.display_token not in response.text


def test_an_org_admin_cannot_issue_display_links_for_the_district_meeting(staff_login, seeded):
    renhe = staff_login("renhe")
    response = renhe.post_form(f"/meetings/{seeded.meeting.id}/display-links", {"label": "x"},
                               f"/meetings/{seeded.meeting.id}")
    assert response.status_code == 403


def test_intake_rebuild_prints_each_meeting_s_counters(runner, seeded):
    bulk_joins(seeded.meeting.venues[0], 2)

    result = runner.invoke(args=["intake", "rebuild", "--meeting", str(seeded.meeting.id)])

    assert result.exit_code == 0, result.output
    assert "joins=2" in result.output
    assert "in step" in runner.invoke(args=["intake", "reconcile"]).output
