"""The union tree: the district federation and its 镇 / 街道 / 功能区 unions — created, renamed, ordered, retired,
restored and deleted while unused (importing them from a sheet is union_sheet.py).

Pages call the functions that take an `actor` (each checks access.can_manage_unions). The first run has no person
behind it: `create_district`, refused once a district exists.
"""

from dataclasses import dataclass, replace

from sqlalchemy import exists, literal, select
from sqlalchemy.exc import IntegrityError

from app.errors import AppError
from app.extensions import db
from app.models import Org, OrgKind, Role, User
from app.models.base import utcnow
from app.services import access, audit, sheets
from app.services.setup import accounts, entry_codes
from app.services.setup.accounts import IssuedAccount

NAME_MAX = 64
ORDER_MAX = 99999
# 乡 is a 镇's rural twin (same level, same kind of union): a district that has them may write either.
KINDS = {"街道": OrgKind.STREET, "镇": OrgKind.TOWN, "乡": OrgKind.TOWN, "功能区": OrgKind.ZONE}
KIND_CHOICES = ("街道", "镇", "功能区")
ALLOWED_KINDS = "街道、镇（乡）或功能区"


@dataclass
class UnionFields:
    name: str
    kind: OrgKind
    sort_order: int | None = None  # None: a new union goes after the last, an existing one keeps its place


@dataclass
class UnionListing:
    org: Org
    deletable: bool  # nothing anywhere refers to it: a typo may go, a union with history may only retire


# --- reading ------------------------------------------------------------------------------------------------


def district() -> Org | None:
    """The district federation, or None on a new install."""
    return db.session.scalar(select(Org).where(Org.kind == OrgKind.DISTRICT).order_by(Org.id).limit(1))


def all_unions() -> list[Org]:
    """Every 镇 / 街道 / 功能区 union, retired ones included, in the district's order."""
    return list(db.session.scalars(unions_query()))


def active_unions() -> list[Org]:
    """The unions still in use, in the district's order: what every new choice of a union offers."""
    return list(db.session.scalars(unions_query().where(Org.retired_at.is_(None))))


def unions_query():
    return select(Org).where(Org.kind != OrgKind.DISTRICT).order_by(Org.sort_order, Org.id)


def listed_unions(actor: User) -> list[UnionListing]:
    """The union list page: every union, and whether it may still be deleted."""
    require_manager(actor)
    unions = all_unions()
    used = used_org_ids([org.id for org in unions])
    return [UnionListing(org, org.id not in used) for org in unions]


def get_union(actor: User, org_id: int) -> Org:
    """A union the actor may manage; 404 for an unknown id and for the district itself."""
    require_manager(actor)
    org = db.session.get(Org, org_id)
    if org is None or org.kind is OrgKind.DISTRICT:
        raise AppError("not_found", "找不到该工会", 404)
    return org


def used_org_ids(org_ids: list[int]) -> set[int]:
    """Which of these orgs some row refers to, over every foreign key to orgs.id (tables added later included)."""
    orgs = Org.__table__
    used: set[int] = set()
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column is not orgs.c.id:
                continue
            # An alias, so orgs.parent_id (the tree itself) is checked like any other table.
            referring = table.alias()
            column = referring.c[foreign_key.parent.name]
            refers = exists(select(literal(1)).select_from(referring).where(column == orgs.c.id))
            used.update(db.session.scalars(select(orgs.c.id).where(orgs.c.id.in_(org_ids), refers)))
    return used


# --- checking what a person typed ------------------------------------------------------------------------


def union_fields(name, kind, sort_order) -> UnionFields:
    """Checked fields from what a person typed (the form or a sheet row); 422 naming each wrong field."""
    name, kind, order = sheets.text(name), sheets.text(kind), sheets.text(sort_order)
    errors = {}
    if not name:
        errors["name"] = "请填写名称"
    elif len(name) > NAME_MAX:
        errors["name"] = f"名称不能超过 {NAME_MAX} 个字"
    if kind not in KINDS:
        errors["kind"] = kind_error(kind)
    if order and not (order.isascii() and order.isdigit() and int(order) <= ORDER_MAX):
        errors["sort_order"] = f"排序应为 0 到 {ORDER_MAX} 之间的整数，实际为「{order}」"
    if errors:
        raise AppError("invalid_union", "；".join(errors.values()), 422, errors)
    return UnionFields(name, KINDS[kind], int(order) if order else None)


def kind_error(kind: str) -> str:
    if not kind:
        return f"请填写类型：{ALLOWED_KINDS}"
    if kind in ("区", "区总工会", Org.KIND_LABELS["district"]):
        return f"区总工会只能由系统初始化创建，这里只能是{ALLOWED_KINDS}"
    return f"类型「{kind}」无法识别，应为{ALLOWED_KINDS}"


def name_holder_error(name: str, holder: Org) -> str:
    """Why a name held by another org cannot be given to a union (a retired union must come back first)."""
    if holder.kind is OrgKind.DISTRICT:
        return f"「{name}」是区总工会的名称"
    if holder.is_retired:
        return f"「{name}」是已撤销的工会，请先在工会列表中恢复它"
    return f"已有名为「{name}」的工会"


def check_name_free(name: str, org: Org | None = None) -> None:
    holder = db.session.scalar(select(Org).where(Org.name == name))
    if holder is not None and holder is not org:
        message = name_holder_error(name, holder)
        raise AppError("union_name_taken", message, 409, {"name": message})


def commit_unless_taken(name: str) -> None:
    # The unique name is the database's rule too: a second person saving the same name at the same moment
    # is refused here rather than with a 500.
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        message = f"已有名为「{name}」的工会"
        raise AppError("union_name_taken", message, 409, {"name": message}) from exc


# --- the first run ------------------------------------------------------------------------------------------


def create_district(name: str, admin_username: str, admin_display_name: str = "") -> IssuedAccount:
    """First run: the district federation and its first admin, who signs in with a one-time password."""
    existing = district()
    if existing is not None:
        raise AppError("district_exists", f"已有区总工会「{existing.name}」，不能再创建", 409)
    name = sheets.text(name)
    check_district_name(name)
    # The accounts' own rules for the username (and its audit row); the admin belongs to the district made here.
    admin = accounts.checked_fields(None, accounts.AccountFields(
        admin_username, admin_display_name, Role.DISTRICT_ADMIN, None))
    org = add_district(name)
    issued = accounts.new_account(None, replace(admin, org_id=org.id), None)
    audit.record(None, "district.setup", "org", org.id, {"name": name, "username": issued.user.username})
    commit_unless_taken(name)
    return issued


def add_district(name: str) -> Org:
    """The district org itself (no commit): the root every union hangs from."""
    org = Org(name=name, kind=OrgKind.DISTRICT, sort_order=0)
    db.session.add(org)
    db.session.flush()
    return org


def check_district_name(name: str) -> None:
    if not name or len(name) > NAME_MAX:
        raise AppError("invalid_district", f"请填写区总工会名称（不超过 {NAME_MAX} 个字）", 422,
                       {"name": "请填写名称"})
    check_name_free(name)


def the_district() -> Org:
    found = district()
    if found is None:
        raise AppError("no_district", "还没有区总工会：请先在服务器上运行 flask setup district", 409)
    return found


# --- changing one union -------------------------------------------------------------------------------------


def require_manager(actor: User) -> None:
    access.require(access.can_manage_unions(actor))


def create_union(actor: User, fields: UnionFields) -> Org:
    """A new union under the district, after the last one unless an order is given."""
    require_manager(actor)
    parent = the_district()
    check_name_free(fields.name)
    order = fields.sort_order if fields.sort_order is not None else next_order()
    org = Org(name=fields.name, kind=fields.kind, parent=parent, sort_order=order)
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "org.create", "org", org.id, described(org))
    commit_unless_taken(fields.name)
    return org


def update_union(actor: User, org: Org, fields: UnionFields) -> Org:
    """Rename a union, change its kind or its place in the order."""
    require_manager(actor)
    check_name_free(fields.name, org)
    old_name = org.name
    set_fields(org, fields)
    audit.record(actor, "org.update", "org", org.id, {"old_name": old_name, **described(org)})
    commit_unless_taken(fields.name)
    entry_codes.forget_slots()  # a join's answer names its venue's union, and the cached entry slots carry it
    return org


def retire(actor: User, org: Org) -> Org:
    """The union leaves every list of choices; its venues, applications and accounts stay as they were."""
    require_manager(actor)
    if org.is_retired:
        raise AppError("union_retired", f"「{org.name}」已经撤销", 409)
    org.retired_at = utcnow()
    return saved_change(actor, org, "org.retire")


def restore(actor: User, org: Org) -> Org:
    """A retired union is back in every list of choices."""
    require_manager(actor)
    if not org.is_retired:
        raise AppError("union_active", f"「{org.name}」在用，无需恢复", 409)
    org.retired_at = None
    return saved_change(actor, org, "org.restore")


def delete_unused(actor: User, org: Org) -> None:
    """Delete a union nothing refers to (a typo); a union with any data may only be retired."""
    require_manager(actor)
    if used_org_ids([org.id]):
        raise in_use(org)
    audit.record(actor, "org.delete", "org", org.id, {"name": org.name})
    db.session.delete(org)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a venue or an account given to it in the meantime
        db.session.rollback()
        raise in_use(org) from exc


def in_use(org: Org) -> AppError:
    return AppError("union_in_use", f"「{org.name}」已有会场、账号或其他记录，不能删除；如不再使用，请改为撤销", 409)


def saved_change(actor: User, org: Org, action: str) -> Org:
    audit.record(actor, action, "org", org.id, {"name": org.name})
    db.session.commit()
    return org


def set_fields(org: Org, fields: UnionFields) -> None:
    org.name, org.kind = fields.name, fields.kind
    if fields.sort_order is not None:
        org.sort_order = fields.sort_order


def next_order() -> int:
    last = db.session.scalar(select(db.func.max(Org.sort_order)).where(Org.kind != OrgKind.DISTRICT))
    return (last or 0) + 1


def described(org: Org) -> dict:
    return {"name": org.name, "kind": org.kind_label, "sort_order": org.sort_order}
