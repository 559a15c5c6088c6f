"""Reading the .xlsx sheets staff upload (ledger, unions, venues and booths, booth accounts): streamed, capped,
every cell normalised, and any file that is not a workbook a 400 in Chinese; and the templates they start from."""

import base64
import binascii
import io
import time
from dataclasses import dataclass
from zipfile import BadZipFile, ZipFile

from app.errors import AppError
from app.services.intake import identity
from app.services.xlsx import workbook_bytes


class RowError(ValueError):
    """What is wrong with one row of a sheet, in Chinese."""


@dataclass(frozen=True)
class SheetLimits:
    """A sheet staff type is a few thousand rows; a bigger file is a mistake or an attack on the only worker."""

    rows: int = 5000
    columns: int = 30
    unpacked_bytes: int = 20 * 2**20
    seconds: float = 20.0


@dataclass(frozen=True)
class SheetLayout:
    """A sheet's header: each column's Chinese title and the key its cells are read as, and which must be there."""

    columns: dict[str, str]
    required: tuple[str, ...]
    template_hint: str
    limits: SheetLimits = SheetLimits()


@dataclass
class SheetRow:
    number: int  # as Excel numbers it, the header being row 1
    cells: dict


UNREADABLE = "无法读取该文件，请上传 Excel（.xlsx）文件"
UPLOAD_MAX_BYTES = 5 * 1024 * 1024


def read_rows(content: bytes, layout: SheetLayout) -> list[SheetRow]:
    """The non-empty rows under the header, read as a stream within the layout's limits."""
    from openpyxl import load_workbook  # lazy: openpyxl costs each worker ≈ 8 MB; only sheets need it

    check_unpacked_size(content, layout.limits)
    deadline = time.monotonic() + layout.limits.seconds
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        lines = sheet.iter_rows(values_only=True, max_col=layout.limits.columns)
        header = [str(cell).strip() if cell is not None else "" for cell in next(lines, ())]
        missing = [name for name in layout.required if name not in header]
        if missing:
            refuse(f"表头缺少：{'、'.join(missing)}（{layout.template_hint}）")
        rows = []
        for number, values in enumerate(lines, start=2):
            if number > layout.limits.rows + 1:
                refuse(f"表格超过 {layout.limits.rows} 行，请分批导入")
            if time.monotonic() > deadline:
                refuse("表格过大，处理超时，请分批导入")
            cells = {layout.columns[name]: value for name, value in zip(header, values, strict=False)
                     if name in layout.columns}
            if any(value not in (None, "") for value in cells.values()):
                rows.append(SheetRow(number, cells))
    except (BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as exc:
        # Broken zip or XML (ElementTree's ParseError is a SyntaxError): the file, not the server, is at fault.
        refuse(UNREADABLE, exc)
    return rows


def check_unpacked_size(content: bytes, limits: SheetLimits) -> None:
    """Refuse a zip bomb before parsing: the members' stated sizes, summed, must stay under the cap."""
    try:
        unpacked = sum(member.file_size for member in ZipFile(io.BytesIO(content)).infolist())
    except (BadZipFile, ValueError, OSError) as exc:
        refuse(UNREADABLE, exc)
    if unpacked > limits.unpacked_bytes:
        refuse(f"文件解压后超过 {limits.unpacked_bytes // 2**20} MB，请分批导入")


def refuse(message: str, cause: Exception | None = None):
    raise AppError("invalid_workbook", message, 400, {"file": message}) from cause


def text(value) -> str:
    """A cell as normalised text: NFKC, control characters dropped, whitespace stripped; a whole float as an int."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return identity.normalise_text("" if value is None else str(value))


def template(title: str, layout: SheetLayout, example_rows: list[list] | None = None) -> bytes:
    """The empty sheet to fill in: the header row (and example rows, when a first-timer needs to see one)."""
    return workbook_bytes(title, list(layout.columns), example_rows or [])


# A previewed sheet travels back with the confirmation as base64 in the form, so confirming needs no state kept
# between the two requests (any host may answer either); it is read and checked again in full before writing.
def carried(content: bytes) -> str:
    return base64.b64encode(content).decode()


def uncarried(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        refuse(UNREADABLE, exc)
