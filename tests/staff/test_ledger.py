"""Ledger and overview pages: a workbook upload bigger than the global 64 KB, forms, scopes, KPIs shown, the
ledger paged and searched, the overview by year."""

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from openpyxl import Workbook
from sqlalchemy import insert, select

from app.extensions import db
from app.models import AuditLog, ContactRecord, Enterprise, Org
from app.services.local_time import now_in_shanghai
from app.services.paging import PAGE_SIZE
from tests.conftest import csrf_token_from
from tests.factories import make_enterprise
from tests.history import PREVIOUS, credit_code, seed_approvals, seed_firms, seed_meetings, walk
from tests.services.ledger.test_ledger import HEADER, VALID_CREDIT_CODE


def org(name: str) -> Org:
    return db.session.scalar(select(Org).where(Org.name == name))


def big_workbook(rows: int, bad_row: int) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for n in range(rows):
        employees = "很多" if n + 2 == bad_row else 30 + n
        book.active.append([f"顺义测试企业{n:04d}", "", "仁和镇", "制造业", employees, 0, "否", "", 0, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_importing_a_large_workbook_lists_the_bad_row_and_imports_the_rest(staff_login, seeded):
    content = big_workbook(3000, bad_row=7)
    assert len(content) > 65536  # bigger than the global MAX_CONTENT_LENGTH: the import view raises it
    renhe = staff_login("renhe")
    token = csrf_token_from(renhe.get("/ledger/import").text)
    response = renhe.client.post(
        "/ledger/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "台账.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "第 7 行：职工人数应为整数，实际为「很多」" in response.text
    assert "新增 2999 家" in response.text
    assert db.session.scalar(select(db.func.count(Enterprise.id))) == 2999


def test_import_without_a_csrf_token_is_refused(staff_login, seeded):
    response = staff_login("renhe").client.post(
        "/ledger/import", data={"file": (io.BytesIO(b"x"), "a.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_adding_a_firm_with_more_members_than_employees_shows_the_error(staff_login, seeded):
    renhe = staff_login("renhe")
    form = {"name": "仁和新企业", "town_org_id": org("仁和镇").id, "employees": 10, "members": 20,
            "new_form_workers": 0, "new_form_members": 0}
    response = renhe.post_form("/ledger/new", form, "/ledger/new")
    assert response.status_code == 422 and "会员人数不能多于职工人数" in response.text
    assert db.session.scalar(select(Enterprise)) is None


def test_a_contact_record_is_added_to_the_firms_history(staff_login, seeded):
    firm = make_enterprise(org("仁和镇"), "仁和物流", employees=40)
    renhe = staff_login("renhe")
    form = {"contacted_on": "2026-11-20", "kind": "visit", "outcome": "同意筹建", "note": "约定下周再访"}
    assert renhe.post_form(f"/ledger/{firm.id}", form, f"/ledger/{firm.id}").status_code == 302
    page = renhe.get(f"/ledger/{firm.id}").text
    assert "上门走访" in page and "同意筹建" in page
    assert db.session.scalar(select(ContactRecord.staff_id)) is not None


def test_the_should_found_list_and_another_towns_firm(staff_login, seeded):
    make_enterprise(org("仁和镇"), "仁和应建企业", employees=30)
    theirs = make_enterprise(org("天竺镇"), "天竺应建企业", employees=30)
    renhe = staff_login("renhe")
    page = renhe.get("/ledger?should_found=1").text
    assert "仁和应建企业" in page and "天竺应建企业" not in page
    assert renhe.get(f"/ledger/{theirs.id}").status_code == 404


def test_the_overview_shows_rates_with_numerator_and_denominator(staff_login, seeded):
    make_enterprise(org("仁和镇"), "仁和建会", employees=100, members=95, has_union=True)
    make_enterprise(org("仁和镇"), "仁和未建", employees=30)
    page = staff_login("district").get("/overview").text
    assert "50.0%" in page and "1 / 2" in page
    assert "95.0%" in page and "95 / 100" in page


def test_org_admins_do_not_get_the_district_overview(staff_login, seeded):
    assert staff_login("renhe").get("/overview").status_code == 403


def test_the_overview_counts_the_demo_day_per_town_and_shows_its_summary(staff_login, seeded):
    page = staff_login("viewer").get("/overview").text
    assert "顺义区职工沟通会</strong>：发放宣传材料0份，接待咨询职工0人，现场扫码入会0人，办理互助服务卡0张" in page
    assert "<td>仁和镇</td><td>1</td>" in page and "<td>天竺镇</td><td>1</td>" in page
    assert "全区（每场计一次）</strong></td><td><strong>1</strong>" in page


def test_deleting_a_firm_removes_it_with_its_contacts_and_is_audited(staff_login, seeded):
    firm = make_enterprise(org("仁和镇"), "录错的企业", employees=5)
    theirs = make_enterprise(org("天竺镇"), "天竺企业", employees=5)
    renhe = staff_login("renhe")
    assert renhe.post_form(f"/ledger/{theirs.id}/delete", {}, "/ledger").status_code == 404
    assert renhe.post_form(f"/ledger/{firm.id}/delete", {}, "/ledger").status_code == 302
    assert [e.name for e in db.session.scalars(select(Enterprise))] == ["天竺企业"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "ledger.delete"))
    assert entry.detail["name"] == "录错的企业"


def post_import(session, content: bytes):
    token = csrf_token_from(session.get("/ledger/import").text)
    return session.client.post("/ledger/import", data={"csrf_token": token, "file": (io.BytesIO(content), "台账.xlsx")},
                               content_type="multipart/form-data")


def rezipped(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The workbook with some zip members replaced or added (a bomb, a broken sheet)."""
    source, buffer = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name in set(replace) - set(source.namelist()):
            target.writestr(name, replace[name])
    return buffer.getvalue()


@pytest.mark.parametrize(("damage", "message"), [
    (lambda good: big_workbook(5001, bad_row=0), "表格超过 5000 行，请分批导入"),
    (lambda good: rezipped(good, {"xl/media/padding.bin": b"\0" * (21 * 2**20)}), "文件解压后超过 20 MB"),
    (lambda good: rezipped(good, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c>"}), "无法读取该文件"),
    (lambda good: good[: len(good) // 2], "无法读取该文件"),
], ids=["too many rows", "zip bomb", "broken XML", "truncated"])
def test_an_oversized_or_broken_import_is_a_400_in_chinese_and_nothing_is_imported(staff_login, seeded, damage,
                                                                                    message):
    response = post_import(staff_login("district"), damage(big_workbook(3, bad_row=0)))

    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(select(db.func.count(Enterprise.id))) == 0


FIRM = re.compile(r'<a href="/ledger/\d+">([^<]+)</a>')


def test_paging_the_ledger_reaches_the_first_and_last_firm_and_keeps_the_search(staff_login, seeded):
    seed_firms(org("仁和镇"), 130)
    seed_firms(org("天竺镇"), 40, start=130)
    renhe = staff_login("renhe")
    # Odd numbers have 30 employees and no union: 65 of 仁和's 130 are on the 应建未建 list.
    expected = [f"顺义企业{n:04d}" for n in range(1, 130, 2)]

    pages, last = walk(renhe, "/ledger?q=顺义企业&should_found=1", FIRM)
    assert [name for page in pages for name in page] == expected
    assert [len(page) for page in pages] == [PAGE_SIZE, 15]
    assert "q=%E9%A1%BA%E4%B9%89%E4%BC%81%E4%B8%9A" in last and "should_found=1" in last
    assert "共 65 家" in renhe.get(last).text
    back, first = walk(renhe, last, FIRM, PREVIOUS)
    assert back == pages[::-1] and "after=" not in first and "before=" in first


def test_the_ledger_is_searched_by_a_part_of_the_name_or_the_start_of_the_credit_code(staff_login, seeded):
    make_enterprise(org("仁和镇"), "顺义快递分拨中心", credit_code=VALID_CREDIT_CODE)
    make_enterprise(org("仁和镇"), "仁和物流有限公司", credit_code="91110113MA01ABCE2X")
    make_enterprise(org("仁和镇"), "百分之百_科技", credit_code="92110113MA01ABCD1M")
    district = staff_login("district")

    def found(typed: str) -> list[str]:
        return FIRM.findall(district.get(f"/ledger?q={quote(typed)}").text)

    assert found("快递") == ["顺义快递分拨中心"]
    assert found(VALID_CREDIT_CODE) == ["顺义快递分拨中心"]
    assert found(VALID_CREDIT_CODE.lower()) == ["顺义快递分拨中心"]
    assert found("91110113MA01ABC") == ["仁和物流有限公司", "顺义快递分拨中心"]
    assert found("110113MA") == []  # a code is matched from its start, not in the middle
    assert found("_") == ["百分之百_科技"] and found("%") == []


def test_a_town_never_lists_another_towns_firms(staff_login, seeded):
    seed_firms(org("仁和镇"), 5)
    seed_firms(org("天竺镇"), 5, start=5)
    renhe = staff_login("renhe")
    for url in ("/ledger", f"/ledger?town_org_id={org('天竺镇').id}", "/ledger?q=顺义企业0007",
                "/ledger?q=" + credit_code(7)):
        page = renhe.get(url).text
        assert all(int(name[-4:]) < 5 for name in FIRM.findall(page)), url
    assert "共 5 家" in renhe.get(f"/ledger?town_org_id={org('天竺镇').id}").text


def test_a_firm_with_many_contacts_shows_the_latest_a_page_at_a_time(staff_login, seeded):
    firm = make_enterprise(org("仁和镇"), "常年走访企业", employees=40)
    db.session.execute(insert(ContactRecord), [
        {"enterprise_id": firm.id, "contacted_on": date(2025, 1, 1) + timedelta(days=n), "kind": "visit",
         "outcome": f"第{n + 1}次", "note": ""} for n in range(PAGE_SIZE + 10)])
    db.session.commit()
    outcome = re.compile(r"· (第\d+次)</li>")

    pages, _last = walk(staff_login("renhe"), f"/ledger/{firm.id}", outcome)
    assert pages[0][:2] == ["第60次", "第59次"] and len(pages[0]) == PAGE_SIZE
    assert pages[1] == [f"第{n}次" for n in range(10, 0, -1)]


def test_the_overview_picks_a_year_and_shows_that_years_figures(staff_login, seeded):
    seed_meetings(2, year=2025)
    march = datetime(2025, 3, 5, 2, tzinfo=UTC)
    seed_approvals(seeded.meeting.venues[0], [march, march, march, datetime(2026, 1, 5, tzinfo=UTC)])
    district = staff_login("district")

    page = district.get("/overview?year=2025").text
    assert '<option value="2025" selected>2025 年</option>' in page
    assert "<tr><td>新会员</td>" + "".join(f"<td>{n}</td>" for n in [0, 0, 3] + [0] * 9) + "<td>3</td></tr>" in page
    this_year = now_in_shanghai().year
    assert f'<option value="{this_year}" selected>{this_year} 年</option>' in district.get("/overview").text
