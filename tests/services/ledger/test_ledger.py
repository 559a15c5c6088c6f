"""The enterprise ledger: KPIs from known numbers, the 应建未建 list, and the Excel import."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, Enterprise, Org, User
from app.services.afterday import overview, review
from app.services.ledger import enterprises as ledger
from app.services.ledger import spreadsheet as ledger_io
from app.services.local_time import now_in_shanghai
from app.services.paging import PageRequest
from tests.factories import make_application, make_enterprise

HEADER = ["企业名称", "统一社会信用代码", "所属镇街", "行业", "职工人数", "会员人数", "是否建会", "建会日期",
          "新就业形态劳动者人数", "新就业形态会员人数"]
VALID_CREDIT_CODE = "91110113MA01ABCD1M"


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def town(name: str) -> Org:
    return db.session.scalar(select(Org).where(Org.name == name))


def workbook(*rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_kpis_from_a_ledger_with_known_numbers_give_the_exact_rates(seeded):
    renhe, tianzhu = town("仁和镇"), town("天竺镇")
    # 仁和: 20 firms with 25+ employees, 19 with a union → 建会率 19/20 = 95.0 %.
    for n in range(19):
        make_enterprise(renhe, f"仁和建会企业{n}", employees=100, members=90, has_union=True,
                        new_form_workers=10, new_form_members=9)
    make_enterprise(renhe, "仁和未建会企业", employees=30, members=0, has_union=False)
    make_enterprise(renhe, "仁和小微企业", employees=10, members=0, has_union=False)
    # 天竺: 1 of 2 firms with 25+ employees founded; 入会率 45/60 = 75.0 %; 新业态 17/20 = 85.0 %.
    make_enterprise(tianzhu, "天竺建会企业", employees=60, members=45, has_union=True,
                    new_form_workers=20, new_form_members=17)
    make_enterprise(tianzhu, "天竺未建会企业", employees=40, members=0, has_union=False)

    result = overview.district_overview(user("district"))
    kpis = {k.name: k for k in result.kpis}
    assert (kpis["仁和镇"].founding.numerator, kpis["仁和镇"].founding.denominator) == (19, 20)
    assert kpis["仁和镇"].founding.percent == Decimal("95.0") and kpis["仁和镇"].founding.meets_target
    assert (kpis["仁和镇"].membership.numerator, kpis["仁和镇"].membership.denominator) == (1710, 1900)
    assert kpis["仁和镇"].membership.percent == Decimal("90.0") and kpis["仁和镇"].membership.meets_target
    assert kpis["天竺镇"].founding.percent == Decimal("50.0") and not kpis["天竺镇"].founding.meets_target
    assert kpis["天竺镇"].membership.percent == Decimal("75.0")
    assert kpis["天竺镇"].new_form.percent == Decimal("85.0") and kpis["天竺镇"].new_form.meets_target
    district = result.district
    assert (district.founding.numerator, district.founding.denominator) == (20, 22)
    assert district.founding.percent == Decimal("90.9") and not district.founding.meets_target
    assert (district.membership.numerator, district.membership.denominator) == (1755, 1960)
    assert (district.new_form.numerator, district.new_form.denominator) == (188, 210)
    assert district.new_form.percent == Decimal("89.5")


class TestTargets:
    @pytest.fixture
    def app_settings(self, app_settings):
        return {**app_settings, "KPI_TARGET_FOUNDING": 50}

    def test_targets_are_configurable(self, seeded):
        make_enterprise(town("天竺镇"), "天竺建会企业", employees=60, has_union=True)
        make_enterprise(town("天竺镇"), "天竺未建会企业", employees=40)
        rate = overview.district_overview(user("district")).district.founding
        assert rate.target == 50 and rate.meets_target


def test_the_should_found_list_has_firms_of_25_or_more_without_a_union(seeded):
    renhe = town("仁和镇")
    make_enterprise(renhe, "刚好25人", employees=25)
    make_enterprise(renhe, "24人", employees=24)
    make_enterprise(renhe, "已建会", employees=80, has_union=True)
    make_enterprise(town("天竺镇"), "天竺50人", employees=50)
    should_found = ledger.LedgerFilter(should_found_only=True)
    names = [e.name for e in ledger.ledger_page(user("renhe"), should_found, PageRequest()).items]
    assert names == ["刚好25人"]
    assert ledger.ledger_page(user("district"), should_found, PageRequest()).total == 2


def test_import_reports_the_bad_row_in_chinese_and_imports_the_rest(seeded):
    content = workbook(
        ["顺义快递分拨中心", VALID_CREDIT_CODE, "仁和镇", "交通运输", 120, 80, "是", "2026-03-15", 60, 50],
        ["坏数据有限公司", "", "仁和镇", "制造业", "三十", 0, "否", "", 0, 0],
        ["天竺配送站", "", "天竺", "交通运输", 30, 0, "否", None, 25, 0],
    )
    result = ledger_io.import_workbook(user("district"), content)
    assert (result.created, result.updated) == (2, 0)
    assert result.errors == ["第 3 行：职工人数应为整数，实际为「三十」"]
    names = set(db.session.scalars(select(Enterprise.name)))
    assert names == {"顺义快递分拨中心", "天竺配送站"}
    founded = db.session.scalar(select(Enterprise).where(Enterprise.name == "顺义快递分拨中心"))
    assert founded.union_founded_on == date(2026, 3, 15) and founded.members == 80


def test_import_rejects_a_row_whose_numbers_do_not_hold_together(seeded):
    content = workbook(
        ["会员多于职工", "", "仁和镇", "", 10, 20, "是", "", 0, 0],
        ["校验位错误", "91110113MA01ABCD1X", "仁和镇", "", 10, 0, "否", "", 0, 0],
    )
    result = ledger_io.import_workbook(user("district"), content)
    assert result.errors[0] == "第 2 行：会员人数不能多于职工人数"
    assert result.errors[1].startswith("第 3 行：统一社会信用代码校验位不正确")
    assert db.session.scalar(select(func.count(Enterprise.id))) == 0


def test_an_org_admin_cannot_import_firms_of_another_town(seeded):
    content = workbook(["天竺企业", "", "天竺镇", "", 30, 0, "否", "", 0, 0],
                       ["仁和企业", "", "仁和镇", "", 30, 0, "否", "", 0, 0])
    result = ledger_io.import_workbook(user("renhe"), content)
    assert result.created == 1
    assert result.errors == ["第 2 行：所属镇街「天竺镇」不存在或不在您的管辖范围内"]


def test_a_town_cannot_take_another_towns_firm_by_importing_its_credit_code(seeded):
    theirs = make_enterprise(town("仁和镇"), "仁和物流有限公司", credit_code=VALID_CREDIT_CODE, employees=50)
    content = workbook(["改名企业", VALID_CREDIT_CODE, "天竺镇", "", 30, 0, "否", "", 0, 0])

    result = ledger_io.import_workbook(user("tianzhu"), content)

    assert result.errors == ["第 2 行：该统一社会信用代码已在其他镇街台账中，请联系区总工会"]
    db.session.expire_all()
    assert (theirs.name, theirs.town_org.name, theirs.employees) == ("仁和物流有限公司", "仁和镇", 50)


def test_the_single_firm_form_does_not_name_another_towns_firm(seeded):
    make_enterprise(town("仁和镇"), "仁和物流有限公司", credit_code=VALID_CREDIT_CODE)
    fields = ledger.EnterpriseFields(name="天竺企业", credit_code=VALID_CREDIT_CODE, town_org_id=town("天竺镇").id,
                                     industry=None, employees=30, members=0, has_union=False, union_founded_on=None,
                                     new_form_workers=0, new_form_members=0)

    with pytest.raises(AppError) as refused:
        ledger.create_enterprise(user("tianzhu"), fields)

    assert refused.value.fields == {"credit_code": "该统一社会信用代码已在其他镇街台账中，请联系区总工会"}


def test_only_the_district_moves_a_firm_between_towns_and_the_move_is_audited(seeded):
    firm = make_enterprise(town("仁和镇"), "仁和物流有限公司", credit_code=VALID_CREDIT_CODE)
    content = workbook(["仁和物流有限公司", VALID_CREDIT_CODE, "天竺镇", "", 30, 0, "否", "", 0, 0])

    assert ledger_io.import_workbook(user("district"), content).updated == 1

    db.session.expire_all()
    assert firm.town_org.name == "天竺镇"
    moved = db.session.scalar(select(AuditLog).where(AuditLog.action == "ledger.move"))
    assert moved.target_id == firm.id and moved.detail["to_org_id"] == town("天竺镇").id


def test_reimporting_an_export_updates_instead_of_duplicating(seeded):
    make_enterprise(town("仁和镇"), "仁和物流", credit_code=VALID_CREDIT_CODE, employees=50)
    export = ledger_io.export_workbook(user("district"))
    sheet = load_workbook(io.BytesIO(b"".join(export.chunks))).active
    sheet["E2"] = 55
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    result = ledger_io.import_workbook(user("district"), buffer.getvalue())
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    assert db.session.scalar(select(Enterprise.employees)) == 55


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(seeded):
    with pytest.raises(AppError) as caught:
        ledger_io.import_workbook(user("district"), b"not a workbook")
    assert caught.value.status == 400 and "Excel" in caught.value.message


def test_an_org_admin_cannot_open_another_towns_firm(seeded):
    firm = make_enterprise(town("天竺镇"), "天竺企业", employees=30)
    with pytest.raises(AppError) as caught:
        ledger.get_enterprise(user("renhe"), firm.id)
    assert caught.value.status == 404


def test_new_members_and_new_unions_are_counted_by_month(seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    for _ in range(2):
        review.approve(user("renhe"), make_application(venue).id)
    this_year = now_in_shanghai().year
    for name, year in (("三月建会", this_year), ("去年建会", this_year - 1)):
        make_enterprise(town("仁和镇"), name, employees=30, has_union=True, union_founded_on=date(year, 3, 9))
    result = overview.district_overview(user("district"), this_year)
    assert result.new_members_by_month[now_in_shanghai().month - 1] == 2 and sum(result.new_members_by_month) == 2
    assert result.new_unions_by_month == [0, 0, 1] + [0] * 9
