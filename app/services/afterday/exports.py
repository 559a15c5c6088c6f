"""Excel exports of applications: masked by default, in full only for the district and always audited."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ApplicationStatus, MembershipApplication, User
from app.services import access, audit, privacy, xlsx
from app.services.afterday import member_register
from app.services.local_time import in_shanghai, now_in_shanghai

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPLICATION_COLUMNS = [
    "序号", "姓名", "身份证号", "手机号", "性别", "出生日期", "工作单位", "统一社会信用代码", "行业", "新就业形态",
    "沟通会", "会场", "承办工会", "状态", "会员编号", "提交时间",
]


@dataclass
class ExportFile:
    filename: str
    content: bytes
    rows: int
    mimetype: str = XLSX_MIMETYPE


@dataclass
class ExportScope:
    meeting_id: int | None = None
    org_id: int | None = None


def applications_export(user: User, scope: ExportScope, unmasked: bool = False, ip: str | None = None) -> ExportFile:
    """Applications of a meeting and/or org; full PII only for district admins, every export audited."""
    if unmasked:
        access.require(access.is_district_admin(user))
    scope = effective_scope(user, scope)
    applications = scoped_applications(scope)
    rows = [application_row(n, a, unmasked) for n, a in enumerate(applications, start=1)]
    content = xlsx.workbook_bytes("入会申请", APPLICATION_COLUMNS, rows)
    record_export(user, "export.applications", scope, len(rows), unmasked, ip)
    return ExportFile(f"入会申请-{stamp()}{'-完整' if unmasked else ''}.xlsx", content, len(rows))


def member_register_export(user: User, scope: ExportScope, ip: str | None = None) -> ExportFile:
    """Approved members in the 《工会会员登记表》 import layout (full PII: district admins only)."""
    access.require(access.is_district_admin(user))
    scope = effective_scope(user, scope)
    approved = scoped_applications(scope, ApplicationStatus.APPROVED)
    rows = [member_register.register_row(n, a) for n, a in enumerate(approved, start=1)]
    content = xlsx.workbook_bytes("会员登记表", member_register.COLUMNS, rows)
    record_export(user, "export.member_register", scope, len(rows), True, ip)
    return ExportFile(f"工会会员登记表-{stamp()}.xlsx", content, len(rows))


def effective_scope(user: User, scope: ExportScope) -> ExportScope:
    """An org admin exports its own org only, whatever was asked for."""
    access.require(access.can_review(user))
    if scope.org_id is not None:
        access.require(access.can_see_org(user, scope.org_id))
        return scope
    if access.is_district_admin(user):
        return scope
    return ExportScope(scope.meeting_id, user.org_id)


def scoped_applications(scope: ExportScope, status: ApplicationStatus | None = None) -> list[MembershipApplication]:
    query = (
        select(MembershipApplication)
        .order_by(MembershipApplication.submitted_at, MembershipApplication.id)
        .options(
            selectinload(MembershipApplication.meeting),
            selectinload(MembershipApplication.venue),
            selectinload(MembershipApplication.host_org),
        )
    )
    if status is not None:
        query = query.where(MembershipApplication.status == status)
    if scope.meeting_id is not None:
        query = query.where(MembershipApplication.meeting_id == scope.meeting_id)
    if scope.org_id is not None:
        query = query.where(MembershipApplication.host_org_id == scope.org_id)
    return list(db.session.scalars(query))


def application_row(number: int, application: MembershipApplication, unmasked: bool) -> list:
    identity = privacy.identity_of(application, full=unmasked)
    return [
        number, identity.name, identity.id_number, identity.mobile, application.gender or "",
        identity.birth, application.employer or "",
        application.employer_credit_code or "", application.industry or "", application.new_form_job or "",
        application.meeting.title, application.venue.place_name, application.host_org.name,
        application.status_label, application.member_no or "",
        in_shanghai(application.submitted_at).strftime("%Y-%m-%d %H:%M"),
    ]


def record_export(user: User, action: str, scope: ExportScope, rows: int, unmasked: bool, ip: str | None) -> None:
    detail = {"meeting_id": scope.meeting_id, "org_id": scope.org_id, "rows": rows, "unmasked": unmasked}
    audit.record(user, action, "export", None, detail, ip)
    db.session.commit()


def stamp() -> str:
    return now_in_shanghai().strftime("%Y%m%d-%H%M")

