"""The ledger in and out of Excel: import with a Chinese error per bad row, export in the same columns."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from app.errors import AppError
from app.extensions import db
from app.metrics import IMPORT_SECONDS
from app.models import Enterprise, Org, User
from app.services import access, audit, xlsx
from app.services.afterday.exports import stamp
from app.services.intake import identity
from app.services.ledger import enterprises as ledger
from app.services.ledger.enterprises import EnterpriseFields
from app.services.sheets import RowError, SheetLayout, read_rows, text
from app.services.xlsx import ExportFile, Sheet

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
# A firm's headcount: a typo with more digits is refused on its row, not by the database's integer column.
COUNT_MAX = 10_000_000


LAYOUT = SheetLayout(COLUMNS, REQUIRED_COLUMNS, "请使用台账导出的表格作为模板")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What a sheet's good rows write: new firms, changed firms (by id), and every row's complaint by number."""

    new: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


@IMPORT_SECONDS.time()
def import_workbook(user: User, content: bytes, ip: str | None = None) -> ImportResult:
    """Import firms from .xlsx: good rows go in whole, each bad row is reported and left out entirely."""
    access.require(access.can_review(user))
    rows = read_rows(content, LAYOUT)
    towns = {org.name: org for org in ledger.town_choices(user)}
    plan, read = ImportPlan(), {}
    for row in rows:
        try:
            read[row.number] = row_fields(row.cells, towns)
        except RowError as error:
            plan.errors[row.number] = str(error)
    matched = plan_rows(user, read, KnownFirms(list(read.values())), plan)
    write(plan)
    result = ImportResult(len(plan.new), matched, [f"第 {n} 行：{plan.errors[n]}" for n in sorted(plan.errors)])
    audit.record(user, "ledger.import", "enterprise", None,
                 {"created": result.created, "updated": result.updated, "errors": len(result.errors)}, ip)
    db.session.commit()
    return result


class KnownFirms:
    """The firms a sheet's rows may name, read in two queries: by credit code, and by name within a town."""

    def __init__(self, rows: list[EnterpriseFields]):
        codes = {fields.credit_code for fields in rows if fields.credit_code}
        names = {fields.name for fields in rows}
        by_code = select(Enterprise).where(Enterprise.credit_code.in_(codes))
        by_name = select(Enterprise).where(Enterprise.name.in_(names)).order_by(Enterprise.id)
        self.by_code = {firm.credit_code: firm for firm in db.session.scalars(by_code)} if codes else {}
        self.by_name: dict[tuple, Enterprise] = {}
        for firm in db.session.scalars(by_name) if names else ():
            self.by_name.setdefault((firm.name, firm.town_org_id), firm)

    def find(self, fields: EnterpriseFields) -> Enterprise | None:
        """The firm holding the row's credit code, else the firm of that name in that town."""
        return self.by_code.get(fields.credit_code) or self.by_name.get((fields.name, fields.town_org_id))


def plan_rows(user: User, read: dict[int, EnterpriseFields], known: KnownFirms, plan: ImportPlan) -> int:
    """Sort each read row into a new or a changed firm, or a complaint; how many rows name a known firm.

    Everything the database would refuse is refused here, per row: a credit code or firm named twice
    (a unique code moves only with the firm it matched), another town's firm for a town's admin.
    """
    seen, claimed, matched = set(), set(), 0
    for number, fields in read.items():
        try:
            key = fields.credit_code or (fields.name, fields.town_org_id)
            if key in seen:
                raise RowError("与前面的行重复")
            seen.add(key)
            existing = known.find(fields)
            if existing is None:
                plan.new.append(vars(fields))
                continue
            if existing.id in claimed:
                raise RowError("与前面的行是同一家企业")
            check_move(user, existing, fields)
            claimed.add(existing.id)
            matched += 1
            if any(getattr(existing, name) != value for name, value in vars(fields).items()):
                plan.changed.append({"id": existing.id, **vars(fields)})
        except RowError as error:
            plan.errors[number] = str(error)
    return matched


def check_move(user: User, existing: Enterprise, fields: EnterpriseFields) -> None:
    if existing.town_org_id == fields.town_org_id:
        return
    if not access.is_district_admin(user):
        raise RowError(ledger.HELD_BY_ANOTHER_TOWN)
    ledger.record_move(user, existing, fields.town_org_id)


def write(plan: ImportPlan) -> None:
    """New firms in multi-row INSERTs, changed ones in one executemany UPDATE by id."""
    try:
        if plan.new:
            db.session.execute(insert(Enterprise), plan.new)
        if plan.changed:
            db.session.execute(update(Enterprise), plan.changed)
    except IntegrityError as exc:
        # Only another import or form saving the same credit code meanwhile gets here: every row was checked.
        db.session.rollback()
        raise AppError("ledger_changed", "导入期间台账被同时修改，请重新导入", 409) from exc


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
    if number > COUNT_MAX:
        raise RowError(f"{label}不能超过 {COUNT_MAX:,}")
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


LEDGER_SHEET = Sheet("企业沟通台账", list(COLUMNS))


def export_workbook(user: User) -> ExportFile:
    """The ledger of the user's scope, in the import columns (so an export can be edited and re-imported)."""
    query = (
        ledger.ledger_query(user, ledger.LedgerFilter()).join(Org, Enterprise.town_org_id == Org.id)
        .options(contains_eager(Enterprise.town_org))
        .order_by(Org.sort_order, Enterprise.name, Enterprise.id)
    )
    rows = xlsx.count(query)
    lines = (ledger_row(firm) for firm in xlsx.streamed(query))
    return ExportFile(f"企业沟通台账-{stamp()}.xlsx", xlsx.stream(LEDGER_SHEET, lines, rows), rows)


def ledger_row(firm: Enterprise) -> list:
    return [
        firm.name, firm.credit_code or "", firm.town_org.name, firm.industry or "", firm.employees, firm.members,
        "是" if firm.has_union else "否", firm.union_founded_on.isoformat() if firm.union_founded_on else "",
        firm.new_form_workers, firm.new_form_members,
    ]
