"""The ledger import writes in bulk: a few statements for a whole sheet, and still a Chinese complaint per bad row."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, insert, select

from app.extensions import db
from app.models import Enterprise
from app.services.intake import identity
from app.services.ledger import spreadsheet as ledger_io
from tests.factories import account, make_enterprise, org_named


def credit_code(serial: int) -> str:
    """A valid 统一社会信用代码 (GB 32100 check character), a different one per serial."""
    first_17 = f"91110113{serial:09d}"
    return first_17 + identity.credit_code_check_char(first_17)


def workbook(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(ledger_io.COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def statements(app):
    seen = []
    counting = lambda *_args: seen.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", counting)
    yield seen
    event.remove(db.engine, "before_cursor_execute", counting)


def test_a_5000_row_sheet_of_new_changed_and_bad_rows_costs_a_few_statements(seeded, statements):
    renhe = org_named("仁和镇")
    db.session.execute(insert(Enterprise), [
        {"name": f"仁和已有企业{n}", "credit_code": credit_code(n), "town_org_id": renhe.id, "employees": 30}
        for n in range(2500)
    ])
    db.session.commit()
    changed = [[f"仁和已有企业{n}", credit_code(n), "仁和镇", "制造业", 30 + n % 2, 0, "否", "", 0, 0]
               for n in range(2500)]
    new = [[f"天竺新企业{n}", credit_code(10_000 + n), "天竺镇", "", 40, 10, "是", "2026-03-01", 0, 0]
           for n in range(2490)]
    bad = [[f"坏行{n}", "", "天竺镇", "", "三十", 0, "否", "", 0, 0] for n in range(10)]
    content = workbook(changed + new + bad)
    statements.clear()

    result = ledger_io.import_workbook(account("district"), content)

    assert len(statements) < 30
    assert (result.created, result.updated, len(result.errors)) == (2490, 2500, 10)
    assert result.errors[0] == "第 4992 行：职工人数应为整数，实际为「三十」"
    assert db.session.scalar(select(func.count(Enterprise.id))) == 2500 + 2490
    assert db.session.scalar(select(func.sum(Enterprise.employees)).where(Enterprise.town_org_id == renhe.id)) \
        == 30 * 2500 + 1250


def test_rows_the_database_would_refuse_are_reported_on_their_row_and_the_rest_go_in(seeded):
    held = make_enterprise(org_named("仁和镇"), "仁和物流有限公司", credit_code=credit_code(1), employees=50)
    content = workbook([
        ["仁和物流有限公司", credit_code(1), "仁和镇", "", 60, 0, "否", "", 0, 0],
        ["仁和物流有限公司", "", "仁和镇", "", 70, 0, "否", "", 0, 0],
        ["多打了几个零", credit_code(2), "仁和镇", "", 3_000_000_000_000, 0, "否", "", 0, 0],
        ["仁和新企业", credit_code(3), "仁和镇", "", 30, 0, "否", "", 0, 0],
    ])

    result = ledger_io.import_workbook(account("district"), content)

    assert result.errors == ["第 3 行：与前面的行是同一家企业", "第 4 行：职工人数不能超过 10,000,000"]
    assert (result.created, result.updated) == (1, 1)
    db.session.expire_all()
    assert held.employees == 60
    names = set(db.session.scalars(select(Enterprise.name)))
    assert names >= {"仁和物流有限公司", "仁和新企业"} and "多打了几个零" not in names
