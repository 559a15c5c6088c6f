"""Writing .xlsx files: the one place every export puts cells, so text a worker typed never runs as a formula."""

import io
from collections.abc import Iterable


def append_row(sheet, values: list) -> None:
    """Append a row; every text value is a string cell, whatever it starts with (= + - @, tab, CR)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        # openpyxl turns "=…" into a formula cell; "=HYPERLINK(…)" typed on the H5 page would run in Excel.
        if isinstance(cell.value, str):
            cell.data_type = "s"


def workbook_bytes(title: str, columns: list[str], rows: Iterable[list]) -> bytes:
    """A one-sheet workbook: a header row, then the rows; text cells stay text (ID numbers keep every digit)."""
    from openpyxl import Workbook  # lazy: openpyxl costs each worker ≈ 8 MB; only exports need it

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    append_row(sheet, columns)
    for row in rows:
        append_row(sheet, row)
    fit_columns(sheet)
    return saved(workbook)


MAX_COLUMN_WIDTH = 60


def fit_columns(sheet) -> None:
    """Each column as wide as its widest cell (an 18-digit 身份证号 included), within reason."""
    for cells in sheet.iter_cols():
        widest = max(display_width(cell.value) for cell in cells)
        sheet.column_dimensions[cells[0].column_letter].width = min(MAX_COLUMN_WIDTH, max(8, widest + 2))


def display_width(value) -> int:
    # Excel's width unit is one Latin digit; a Chinese character takes about two.
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
