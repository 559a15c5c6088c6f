"""The union tree from a sheet (名称, 类型, 排序): every row previewed with its errors, then written whole or not at
all, matched by name so importing it again changes nothing. The demo seed reads Shunyi's 27 through `write_sheet`,
the one way in with no person behind it.
"""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Org, OrgKind, User
from app.services import audit, sheets
from app.services.setup.unions import (
    KINDS,
    UnionFields,
    name_holder_error,
    next_order,
    require_manager,
    set_fields,
    the_district,
    union_fields,
)

LAYOUT = sheets.SheetLayout(
    columns={"名称": "name", "类型": "kind", "排序": "sort_order"},
    required=("名称", "类型"),
    template_hint="请先下载工会导入模板：名称、类型、排序",
)
EXAMPLE = Path(__file__).parent / "examples" / "shunyi-unions.xlsx"


@dataclass
class UnionRow:
    """One sheet row as it will be written, and what is wrong with it."""

    number: int
    name: str
    kind: str
    typed_order: str  # as the cell holds it, shown beside the row's errors
    sort_order: int | None = None
    errors: list[str] = field(default_factory=list)
    existing: Org | None = None
    outcome: str = ""  # 新增 / 更新 / 不变 / 有错, decided before anything is written

    def decide_outcome(self) -> None:
        org = self.existing
        if self.errors:
            self.outcome = "有错"
        elif org is None:
            self.outcome = "新增"
        elif org.kind is KINDS[self.kind] and self.sort_order in (None, org.sort_order):
            self.outcome = "不变"
        else:
            self.outcome = "更新"

    @property
    def kind_label(self) -> str:
        """The kind as it will be stored (乡 is kept as 镇), or as typed when it is not one."""
        kind = KINDS.get(self.kind)
        return Org.KIND_LABELS[kind.value] if kind else self.kind


@dataclass
class UnionSheet:
    rows: list[UnionRow]
    written: bool = False

    @property
    def errors(self) -> list[str]:
        return [f"第 {row.number} 行：{'；'.join(row.errors)}" for row in self.rows if row.errors]

    @property
    def created(self) -> int:
        return sum(row.outcome == "新增" for row in self.rows)

    @property
    def updated(self) -> int:
        return sum(row.outcome == "更新" for row in self.rows)

    def raise_for_errors(self) -> None:
        """For a caller with no page to show the rows on (the demo seed): the errors as one AppError."""
        if self.errors:
            raise AppError("invalid_sheet", "；".join(self.errors), 422)



def template_sheet() -> bytes:
    """The empty import sheet: 名称, 类型, 排序."""
    return sheets.template("工会", LAYOUT)


def example_sheet() -> bytes:
    """Shunyi's 27 unions as a filled-in import sheet (the demo seed reads it too)."""
    return EXAMPLE.read_bytes()


def preview_sheet(actor: User, content: bytes) -> UnionSheet:
    """Every row of the sheet as it would be written, with its errors; nothing is written."""
    require_manager(actor)
    return checked_sheet(content)


def import_sheet(actor: User, content: bytes) -> UnionSheet:
    """Write every row of the sheet, or none if any row is wrong; importing it again changes nothing."""
    require_manager(actor)
    sheet = write_sheet(content)
    if sheet.written:
        audit.record(actor, "org.import", "org", None,
                     {"rows": len(sheet.rows), "created": sheet.created, "updated": sheet.updated})
        db.session.commit()
    return sheet


def write_sheet(content: bytes) -> UnionSheet:
    """The sheet's rows into the session (no access check, no audit, no commit): import_sheet's and the demo's."""
    sheet = checked_sheet(content)
    if sheet.errors:
        return sheet
    parent = the_district()
    # A row left without an order goes after every union, those the sheet itself places included.
    order = max([next_order(), *(row.sort_order + 1 for row in sheet.rows if row.sort_order is not None)])
    for row in sheet.rows:
        fields = UnionFields(row.name, KINDS[row.kind], row.sort_order)
        if row.existing is not None:
            set_fields(row.existing, fields)
            continue
        if fields.sort_order is None:
            fields.sort_order, order = order, order + 1
        db.session.add(Org(name=fields.name, kind=fields.kind, parent=parent, sort_order=fields.sort_order))
    db.session.flush()
    sheet.written = True
    return sheet


def checked_sheet(content: bytes) -> UnionSheet:
    rows = sheets.read_rows(content, LAYOUT)
    if not rows:
        sheets.refuse("表格中没有工会：请在表头下每行填写一个工会的名称、类型和排序")
    holders = {org.name: org for org in db.session.scalars(select(Org))}
    first_row_of: dict[str, int] = {}
    checked = []
    for row in rows:
        union_row = checked_row(row, holders)
        if union_row.name in first_row_of:
            union_row.errors.append(f"名称「{union_row.name}」与第 {first_row_of[union_row.name]} 行重复")
        elif union_row.name:
            first_row_of[union_row.name] = row.number
        checked.append(union_row)
    for union_row in checked:
        union_row.decide_outcome()
    return UnionSheet(checked)


def checked_row(row: sheets.SheetRow, holders: dict[str, Org]) -> UnionRow:
    cells = row.cells
    union_row = UnionRow(row.number, sheets.text(cells.get("name")), sheets.text(cells.get("kind")),
                         typed_order=sheets.text(cells.get("sort_order")))
    try:
        union_row.sort_order = union_fields(cells.get("name"), cells.get("kind"), cells.get("sort_order")).sort_order
    except AppError as error:
        union_row.errors.extend(error.fields.values())
    holder = holders.get(union_row.name)
    if holder is not None and (holder.is_retired or holder.kind is OrgKind.DISTRICT):
        union_row.errors.append(name_holder_error(union_row.name, holder))
    else:
        union_row.existing = holder
    return union_row
