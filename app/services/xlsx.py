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
    for cells in sheet.iter_cols(min_row=1, max_row=1):
        sheet.column_dimensions[cells[0].column_letter].width = max(10, len(str(cells[0].value)) * 2 + 2)
    return saved(workbook)


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
