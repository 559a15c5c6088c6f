"""Ledger and overview pages: a workbook upload bigger than the global 64 KB, forms, scopes, KPIs shown."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, ContactRecord, Enterprise, Org
from tests.conftest import csrf_token_from
from tests.factories import make_enterprise
from tests.services.ledger.test_ledger import HEADER


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
