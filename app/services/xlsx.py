"""Writing .xlsx files as they are sent: the one place every export puts cells.

Text never runs as a formula: every text value is an inline string cell whatever it starts with (= + - @, tab,
CR), so an "=HYPERLINK(…)" typed on the H5 page stays text in Excel and an ID number keeps all 18 digits.
Only ints and floats (counts, codes, row numbers) are written as numbers.

A year of rows never sits in memory: `streamed` reads them from a server-side cursor a batch at a time, and
`stream` writes each batch into the zip and hands over what it compressed to before reading the next. The zip
is written into a sink that cannot seek, so zipfile puts each member's sizes in a data descriptor after its
data instead of going back for them. openpyxl stays for reading uploads (app/services/sheets.py).
"""

import io
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZipFile

from sqlalchemy import Select, func, select

from app.extensions import db

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows per round trip to the database (a server-side cursor's FETCH): few round trips, one batch in memory.
FETCH_ROWS = 500
# Rows written between two turns for the worker's other requests (≈ 15–30 ms of CPU for 100 application rows):
# a big screen's request waits about that long at each of its own database and Redis round trips.
BATCH_ROWS = 100
# A turn is a short sleep, not sleep(0): under gevent sleep(0) may resume this greenlet before the event loop has
# polled for I/O, so a screen whose answer had arrived went on waiting (a year's export on one worker: the
# screen's median 0.53 s with sleep(0), 0.21 s with 1 ms, bench/README 2026-12-07); 1 ms a batch adds ≈ 3 %.
TURN_SECONDS = 0.001
MAX_COLUMN_WIDTH = 60
# Excel has refused files whose members carry ZIP64 fields they did not need (docs/decisions.md, 2026-12-07), so
# a sheet is ZIP64 only when it might pass zip32's 2 GiB: our cells average ≈ 60 bytes of XML and a row of the
# longest answers stays under 80 a cell; 128 a cell keeps 16 columns zip32 up to Excel's 1,048,576 rows.
CELL_BYTES_CEILING = 128


@dataclass
class ExportFile:
    """A download: its name, its bytes as they are written, and how many rows it holds."""

    filename: str
    chunks: Iterator[bytes]
    rows: int
    mimetype: str = XLSX_MIMETYPE


@dataclass(frozen=True)
class Sheet:
    """A one-sheet workbook's layout: the header row, any lines above it, and (optionally) its column widths."""

    title: str
    columns: list[str]
    heading: list[str] = field(default_factory=list)  # lines above the header; the first is set as a title
    widths: list[float] | None = None  # None: from the header and the first batch of rows


def streamed(statement: Select) -> Iterator:
    """The statement's rows, read from a server-side cursor FETCH_ROWS at a time, once the download asks."""
    result = db.session.scalars(statement.execution_options(yield_per=FETCH_ROWS))
    try:
        yield from result
    finally:
        result.close()  # a download cut short releases its cursor


def count(statement: Select) -> int:
    """How many rows the statement gives, counted in SQL (the audit row says it before the first byte)."""
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def stream(sheet: Sheet, rows: Iterable[Sequence], expected_rows: int = 0) -> Iterator[bytes]:
    """The workbook's bytes, a batch of rows at a time; the first bytes leave before any row is read."""
    sink = _Sink()
    with ZipFile(sink, "w", ZIP_DEFLATED) as archive:
        for name, part in _package(sheet.title):
            archive.writestr(name, part)
        yield sink.drain()
        batches = _batches(rows)
        first = next(batches, [])
        may_pass_zip32 = expected_rows * max(len(sheet.columns), 1) * CELL_BYTES_CEILING > ZIP64_LIMIT
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=may_pass_zip32) as part:
            part.write(_sheet_head(sheet, first))
            row_number = len(sheet.heading) + 1
            for batch in chain([first], batches):
                part.write(_rows_xml(batch, row_number + 1))
                row_number += len(batch)
                if chunk := sink.drain():
                    yield chunk
                # Under gevent's monkey-patching, a turn for this worker's other requests (live screens among
                # them) and for its heartbeat, without which gunicorn kills the worker 60 s into a long export.
                time.sleep(TURN_SECONDS)
            part.write(b"</sheetData></worksheet>")
    yield sink.drain()


def workbook_bytes(title: str, columns: list[str], rows: Iterable[Sequence]) -> bytes:
    """A small workbook whole (templates and examples staff download before they upload)."""
    return b"".join(stream(Sheet(title, columns), rows))


class _Sink(io.RawIOBase):
    """Where zipfile writes: it cannot seek (so sizes go in data descriptors) and is emptied after each batch."""

    def __init__(self):
        super().__init__()
        self._written = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._written += data
        return len(data)

    def drain(self) -> bytes:
        data = bytes(self._written)
        self._written.clear()
        return data


def _batches(rows: Iterable[Sequence]) -> Iterator[list[Sequence]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        yield batch


# Cell styles (xl/styles.xml cellXfs): 0 plain, 1 the header row (bold, wrapped), 2 a sheet's title line.
PLAIN, HEADER, TITLE = "", ' s="1"', ' s="2"'
# XML 1.0 has no way to write these characters at all (control characters, lone surrogates): they are dropped.
NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _sheet_head(sheet: Sheet, sample: list[Sequence]) -> bytes:
    header_row = len(sheet.heading) + 1
    lines = [_row_xml(1, [sheet.heading[0]], TITLE)] if sheet.heading else []
    lines += [_row_xml(number, [line], PLAIN) for number, line in enumerate(sheet.heading[1:], start=2)]
    lines.append(_row_xml(header_row, sheet.columns, HEADER))
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate(sheet.widths or _fitted_widths(sheet.columns, sample), start=1) if width
    )
    return _xml(
        f'<worksheet xmlns="{MAIN_NS}"><sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>'
        f"</sheetView></sheetViews>{f'<cols>{cols}</cols>' if cols else ''}<sheetData>{''.join(lines)}"
    )


def _fitted_widths(columns: list[str], sample: list[Sequence]) -> list[float]:
    """Each column as wide as its header or its widest cell among the first rows (an 18-digit 身份证号 included)."""
    widest = [max(_display_width(row[n]) for row in [columns, *sample] if n < len(row)) for n in range(len(columns))]
    return [min(MAX_COLUMN_WIDTH, max(8, width + 2)) for width in widest]


def _display_width(value) -> int:
    # Excel's width unit is one Latin digit; a Chinese character takes about two.
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _rows_xml(rows: list[Sequence], first_number: int) -> bytes:
    return _utf8("".join(_row_xml(number, row, PLAIN) for number, row in enumerate(rows, start=first_number)))


def _row_xml(number: int, values: Sequence, style: str) -> str:
    cells = []
    for letter, value in zip(_letters(len(values)), values, strict=True):
        if value is None or value == "":
            continue
        if type(value) in (int, float):
            cells.append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{letter}{number}"{style} t="inlineStr"><is>{_text(value)}</is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _text(value) -> str:
    text = _escaped(str(value))
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _escaped(text: str) -> str:
    # A CR written as itself would come back as LF: XML parsers normalise line ends.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


_LETTERS: list[str] = []


def _letters(count: int) -> list[str]:
    """Column letters A, B, … AA, … for `count` columns (computed once, shared by every row)."""
    while len(_LETTERS) < count:
        number, letters = len(_LETTERS) + 1, ""
        while number:
            number, remainder = divmod(number - 1, 26)
            letters = chr(65 + remainder) + letters
        _LETTERS.append(letters)
    return _LETTERS[:count]


def _utf8(xml: str) -> bytes:
    return NOT_IN_XML.sub("", xml).encode("utf-8")


def _xml(body: str) -> bytes:
    return _utf8('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body)


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _package(title: str) -> list[tuple[str, bytes]]:
    """The parts every .xlsx needs around its one sheet."""
    sheet_name = _escaped(title).replace('"', "&quot;")
    return [
        ("[Content_Types].xml", _xml(
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET_TYPE}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET_TYPE}.styles+xml"/></Types>'
        )),
        ("_rels/.rels", _xml(
            f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{OFFICE_RELS}/officeDocument"/></Relationships>'
        )),
        ("xl/workbook.xml", _xml(
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{OFFICE_RELS}"><sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )),
        ("xl/_rels/workbook.xml.rels", _xml(
            f'<Relationships xmlns="{RELS_NS}">'
            f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{OFFICE_RELS}/worksheet"/>'
            f'<Relationship Id="rId2" Target="styles.xml" Type="{OFFICE_RELS}/styles"/></Relationships>'
        )),
        ("xl/styles.xml", _xml(STYLES)),
    ]
