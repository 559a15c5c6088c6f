"""企业沟通台账: firms talked to, their union and membership numbers, contacts, and the 应建未建 list."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, with_expression

from app.errors import AppError
from app.extensions import db
from app.models import ContactRecord, Enterprise, Org, User
from app.models.ledger import UNION_REQUIRED_EMPLOYEES
from app.services import access, audit, paging
from app.services.intake import identity

CONTACT_KINDS = {
    "union_intent": "建会意向（岗位登记）",
    "visit": "上门走访",
    "phone": "电话联系",
    "meeting": "沟通会座谈",
    "other": "其他",
}

COUNT_LABELS = {
    "employees": "职工人数",
    "members": "会员人数",
    "new_form_workers": "新就业形态劳动者人数",
    "new_form_members": "新就业形态会员人数",
}


@dataclass
class EnterpriseFields:
    name: str
    credit_code: str | None
    town_org_id: int
    industry: str | None
    employees: int
    members: int
    has_union: bool
    union_founded_on: date | None
    new_form_workers: int
    new_form_members: int


@dataclass
class ContactFields:
    contacted_on: date
    kind: str
    outcome: str
    note: str


# A town never learns which firm of another town holds a code: only the district can sort that out.
HELD_BY_ANOTHER_TOWN = "该统一社会信用代码已在其他镇街台账中，请联系区总工会"


def field_errors(fields: EnterpriseFields) -> dict[str, str]:
    """Chinese messages per field; empty when the firm's numbers hold together."""
    errors = {}
    if not fields.name or len(fields.name) > 120:
        errors["name"] = "请填写企业名称（不超过120个字）"
    if fields.credit_code:
        try:
            identity.check_credit_code(fields.credit_code)
        except identity.IdentityError as error:
            errors["credit_code"] = str(error)
    for name, label in COUNT_LABELS.items():
        if getattr(fields, name) < 0:
            errors[name] = f"{label}不能为负数"
    if fields.members > fields.employees:
        errors["members"] = "会员人数不能多于职工人数"
    if fields.new_form_members > fields.new_form_workers:
        errors["new_form_members"] = "新就业形态会员人数不能多于新就业形态劳动者人数"
    if fields.union_founded_on and not fields.has_union:
        errors["union_founded_on"] = "未建会的企业不能填写建会日期"
    return errors


def validate(user: User, fields: EnterpriseFields, current: Enterprise | None = None) -> None:
    """Raise 422 with every field error, or 403 when the firm is outside the user's town."""
    access.require(access.can_see_org(user, fields.town_org_id))
    errors = field_errors(fields)
    if fields.credit_code and "credit_code" not in errors:
        holder = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == fields.credit_code))
        if holder is not None and holder is not current:
            errors["credit_code"] = credit_code_taken(user, holder)
    if errors:
        raise AppError("invalid_enterprise", "企业信息有误，请按提示修改", 422, errors)


def credit_code_taken(user: User, holder: Enterprise) -> str:
    """Why a credit code cannot be used again; names the holder only to those who may see its town."""
    if access.can_see_org(user, holder.town_org_id):
        return f"该统一社会信用代码已登记为「{holder.name}」"
    return HELD_BY_ANOTHER_TOWN


def record_move(user: User, enterprise: Enterprise, town_org_id: int, ip: str | None = None) -> None:
    """Only the district moves a firm between towns, and the move is audited."""
    access.require(access.is_district_admin(user))
    audit.record(user, "ledger.move", "enterprise", enterprise.id,
                 {"from_org_id": enterprise.town_org_id, "to_org_id": town_org_id}, ip)


def create_enterprise(user: User, fields: EnterpriseFields) -> Enterprise:
    """Add a firm to the ledger of the user's town (any town for the district)."""
    validate(user, fields)
    enterprise = Enterprise(**vars(fields))
    db.session.add(enterprise)
    db.session.commit()
    return enterprise


def update_enterprise(user: User, enterprise: Enterprise, fields: EnterpriseFields) -> Enterprise:
    """Edit a firm's numbers; an org admin cannot move it to another town."""
    access.require(access.can_see_org(user, enterprise.town_org_id))
    validate(user, fields, enterprise)
    if fields.town_org_id != enterprise.town_org_id:
        record_move(user, enterprise, fields.town_org_id)
    for name, value in vars(fields).items():
        setattr(enterprise, name, value)
    db.session.commit()
    return enterprise


def delete_enterprise(user: User, enterprise: Enterprise, ip: str | None = None) -> None:
    """Remove a firm entered by mistake, with its contact history; audit-logged with its name."""
    access.require(access.can_see_org(user, enterprise.town_org_id))
    audit.record(user, "ledger.delete", "enterprise", enterprise.id,
                 {"name": enterprise.name, "credit_code": enterprise.credit_code}, ip)
    db.session.delete(enterprise)
    db.session.commit()


def add_contact(user: User, enterprise: Enterprise, fields: ContactFields) -> ContactRecord:
    """Record one contact with a firm (a visit, a call, a meeting)."""
    access.require(access.can_see_org(user, enterprise.town_org_id))
    if fields.kind not in CONTACT_KINDS:
        raise AppError("invalid_contact_kind", "请选择联系方式", 422, {"kind": "请选择联系方式"})
    if len(fields.outcome) > 60:
        raise AppError("invalid_contact", "结果不能超过60个字", 422, {"outcome": "结果不能超过60个字"})
    # By id: assigning the firm would load its whole contact history into enterprise.contacts first.
    record = ContactRecord(enterprise_id=enterprise.id, staff_id=user.id, **vars(fields))
    db.session.add(record)
    db.session.commit()
    return record


def get_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """One firm of the user's scope; another town's is reported as not found."""
    access.require(access.can_review(user))
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not access.can_see_org(user, enterprise.town_org_id):
        raise AppError("enterprise_not_found", "找不到该企业", 404)
    return enterprise


@dataclass
class LedgerFilter:
    town_org_id: int | None = None
    should_found_only: bool = False  # the 应建未建 list: 25+ employees, no union
    search: str = ""  # part of a name, or the start of a 统一社会信用代码


LEDGER_ORDER = paging.Order((Enterprise.name, Enterprise.id))
CONTACT_ORDER = paging.Order((ContactRecord.contacted_on, ContactRecord.id), descending=True)


def ledger_query(user: User, wanted: LedgerFilter) -> Select:
    """The firms of the user's scope that the filter keeps (a town's admin sees only its own town's)."""
    access.require(access.can_review(user))
    town_org_id = wanted.town_org_id if access.is_district_admin(user) else user.org_id
    query = select(Enterprise)
    if town_org_id is not None:
        query = query.where(Enterprise.town_org_id == town_org_id)
    if wanted.should_found_only:
        query = query.where(Enterprise.employees >= UNION_REQUIRED_EMPLOYEES, Enterprise.has_union.is_(False))
    if search := identity.normalise_text(wanted.search):
        query = query.where(Enterprise.name.icontains(search, autoescape=True)
                            | Enterprise.credit_code.startswith(search.upper(), autoescape=True))
    return query


def ledger_page(user: User, wanted: LedgerFilter, page: paging.PageRequest) -> paging.Page:
    """A page of the ledger by name, with its total and each firm's latest contact (never the contacts)."""
    latest_contact = (select(func.max(ContactRecord.contacted_on))
                      .where(ContactRecord.enterprise_id == Enterprise.id).scalar_subquery())
    return paging.page_of(
        ledger_query(user, wanted), LEDGER_ORDER, lambda firm: (firm.name, firm.id), page,
        load=(joinedload(Enterprise.town_org), with_expression(Enterprise.last_contacted_on, latest_contact)),
    )


def contact_page(enterprise: Enterprise, page: paging.PageRequest) -> paging.Page:
    """A firm's contacts, latest first, a page at a time (a firm visited for years has hundreds)."""
    query = select(ContactRecord).where(ContactRecord.enterprise_id == enterprise.id)
    return paging.page_of(query, CONTACT_ORDER, lambda contact: (contact.contacted_on, contact.id), page)


def town_choices(user: User) -> list[Org]:
    """Towns a user may file firms under."""
    query = select(Org).where(Org.parent_id.is_not(None)).order_by(Org.sort_order)
    if not access.is_district_admin(user):
        query = query.where(Org.id == user.org_id)
    return list(db.session.scalars(query))
