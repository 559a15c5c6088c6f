"""The export page: a download of masked rows for a town, a refusal of the unmasked one."""

import io

from openpyxl import load_workbook

from tests.factories import make_application


def test_org_admin_downloads_a_masked_workbook_and_is_refused_the_full_one(staff_login, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    make_application(venue, name="张三丰", mobile="13812345678")
    renhe = staff_login("renhe")
    response = renhe.post_form("/exports/applications", {}, "/exports")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1][1:4:2] == ("张**", "138****5678")
    assert renhe.post_form("/exports/applications", {"unmasked": "1"}, "/exports").status_code == 403
