"""The ledger in and out of Excel: import with a Chinese error per bad row, export in the same columns."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.extensions import db
from app.metrics import IMPORT_SECONDS
from app.models import Enterprise, Org, User
from app.services import access, audit
from app.services.afterday.exports import ExportFile, stamp
from app.services.intake import identity
from app.services.ledger import enterprises as ledger
from app.services.ledger.enterprises import EnterpriseFields
from app.services.sheets import RowError, SheetLayout, read_rows, text
from app.services.xlsx import workbook_bytes

COLUMNS = {
    "企业名称": "name",
    "统一社会信用代码": "credit_code",
    "所属镇街": "town",
    "行业": "industry",
    "职工人数": "employees",
    "会员人数": "members",
    "是否建会": "has_union",
    "建会日期": "union_founded_on",
    "新就业形态劳动者人数": "new_form_workers",
    "新就业形态会员人数": "new_form_members",
}
REQUIRED_COLUMNS = ("企业名称", "所属镇街", "职工人数")
YES = {"是", "已建", "已建会", "y", "yes", "true", "1"}
NO = {"否", "未建", "未建会", "n", "no", "false", "0", ""}


LAYOUT = SheetLayout(COLUMNS, REQUIRED_COLUMNS, "请使用台账导出的表格作为模板")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


@IMPORT_SECONDS.time()
def import_workbook(user: User, content: bytes, ip: str | None = None) -> ImportResult:
    """Import firms from .xlsx: good rows go in whole, each bad row is reported and left out entirely."""
    access.require(access.can_review(user))
    rows = read_rows(content, LAYOUT)
    towns = {org.name: org for org in ledger.town_choices(user)}
    result, seen = ImportResult(), set()
    for row in rows:
        try:
            fields = row_fields(row.cells, towns)
            key = fields.credit_code or (fields.name, fields.town_org_id)
            if key in seen:
                raise RowError("与前面的行重复")
            seen.add(key)
            save_row(user, fields, result)
        except RowError as error:
            result.errors.append(f"第 {row.number} 行：{error}")
    audit.record(user, "ledger.import", "enterprise", None,
                 {"created": result.created, "updated": result.updated, "errors": len(result.errors)}, ip)
    db.session.commit()
    return result


def row_fields(cells: dict, towns: dict[str, Org]) -> EnterpriseFields:
    town = find_town(text(cells.get("town")), towns)
    fields = EnterpriseFields(
        name=text(cells.get("name")),
        credit_code=identity.normalise_credit_code(text(cells.get("credit_code"))) or None,
        town_org_id=town.id,
        industry=text(cells.get("industry"))[:40] or None,
        has_union=yes_no(cells.get("has_union")),
        union_founded_on=day(cells.get("union_founded_on")),
        **{name: count(cells.get(name), label) for name, label in ledger.COUNT_LABELS.items()},
    )
    errors = ledger.field_errors(fields)
    if errors:
        raise RowError("；".join(errors.values()))
    return fields


def save_row(user: User, fields: EnterpriseFields, result: ImportResult) -> None:
    existing = find_existing(fields)
    if existing is not None and existing.town_org_id != fields.town_org_id:
        if not access.is_district_admin(user):
            raise RowError(ledger.HELD_BY_ANOTHER_TOWN)
        ledger.record_move(user, existing, fields.town_org_id)
    # A savepoint per row: if the database still refuses it, that row alone is left out.
    try:
        with db.session.begin_nested():
            if existing is None:
                db.session.add(Enterprise(**vars(fields)))
            else:
                for name, value in vars(fields).items():
                    setattr(existing, name, value)
    except Exception as exc:  # noqa: BLE001 — reported on the row; the other rows still go in
        raise RowError("保存失败，请检查统一社会信用代码是否与其他企业重复") from exc
    if existing is None:
        result.created += 1
    else:
        result.updated += 1


def find_existing(fields: EnterpriseFields) -> Enterprise | None:
    if fields.credit_code:
        found = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == fields.credit_code))
        if found is not None:
            return found
    return db.session.scalar(
        select(Enterprise).where(Enterprise.name == fields.name, Enterprise.town_org_id == fields.town_org_id)
    )


def find_town(name: str, towns: dict[str, Org]) -> Org:
    for candidate in (name, f"{name}镇", f"{name}街道"):
        if candidate in towns:
            return towns[candidate]
    if not name:
        raise RowError("请填写所属镇街")
    raise RowError(f"所属镇街「{name}」不存在或不在您的管辖范围内")


def count(value, label: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = int(text(value))
    except ValueError as exc:
        raise RowError(f"{label}应为整数，实际为「{value}」") from exc
    if number < 0:
        raise RowError(f"{label}不能为负数")
    return number


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise RowError(f"是否建会应填写「是」或「否」，实际为「{value}」")


def day(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(text(value).replace("/", "-"))
    except ValueError as exc:
        raise RowError(f"建会日期格式不正确（应为 年-月-日），实际为「{value}」") from exc


def export_workbook(user: User) -> ExportFile:
    """The ledger of the user's scope, in the import columns (so an export can be edited and re-imported)."""
    rows = [
        [e.name, e.credit_code or "", e.town_org.name, e.industry or "", e.employees, e.members,
         "是" if e.has_union else "否", e.union_founded_on.isoformat() if e.union_founded_on else "",
         e.new_form_workers, e.new_form_members]
        for e in ledger.enterprises(user)
    ]
    content = workbook_bytes("企业沟通台账", list(COLUMNS), rows)
    return ExportFile(f"企业沟通台账-{stamp()}.xlsx", content, len(rows))
