"""Excel exports of applications: masked by default, in full only for the district and always audited.

Both are written as they are sent (app/services/xlsx.py): the audit row is committed first, then the rows
stream from the database a batch at a time, so a year's export starts at once and never holds the year.
"""

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ApplicationStatus, MembershipApplication, User
from app.services import access, audit, privacy, xlsx
from app.services.afterday import member_register
from app.services.local_time import in_shanghai, now_in_shanghai
from app.services.xlsx import ExportFile, Sheet

APPLICATIONS_SHEET = Sheet("入会申请", [
    "序号", "姓名", "身份证号", "手机号", "性别", "出生日期", "工作单位", "统一社会信用代码", "行业", "新就业形态",
    "沟通会", "会场", "承办工会", "状态", "会员编号", "提交时间",
])
REGISTER_SHEET = Sheet("会员登记表", member_register.COLUMNS)


@dataclass
class ExportScope:
    meeting_id: int | None = None
    org_id: int | None = None


def applications_export(user: User, scope: ExportScope, unmasked: bool = False, ip: str | None = None) -> ExportFile:
    """Applications of a meeting and/or org; full PII only for district admins, every export audited."""
    if unmasked:
        access.require(access.is_district_admin(user))
    scope = effective_scope(user, scope)
    query = scoped_applications(scope)
    rows = record_export(user, "export.applications", scope, query, unmasked, ip)
    lines = (application_row(n, a, unmasked) for n, a in enumerate(xlsx.streamed(query), start=1))
    filename = f"入会申请-{stamp()}{'-完整' if unmasked else ''}.xlsx"
    return ExportFile(filename, xlsx.stream(APPLICATIONS_SHEET, lines, rows), rows)


def member_register_export(user: User, scope: ExportScope, ip: str | None = None) -> ExportFile:
    """Approved members in the 《工会会员登记表》 import layout (full PII: district admins only)."""
    access.require(access.is_district_admin(user))
    scope = effective_scope(user, scope)
    query = scoped_applications(scope, ApplicationStatus.APPROVED)
    rows = record_export(user, "export.member_register", scope, query, True, ip)
    lines = (member_register.register_row(n, a) for n, a in enumerate(xlsx.streamed(query), start=1))
    return ExportFile(f"工会会员登记表-{stamp()}.xlsx", xlsx.stream(REGISTER_SHEET, lines, rows), rows)


def effective_scope(user: User, scope: ExportScope) -> ExportScope:
    """An org admin exports its own org only, whatever was asked for."""
    access.require(access.can_review(user))
    if scope.org_id is not None:
        access.require(access.can_see_org(user, scope.org_id))
        return scope
    if access.is_district_admin(user):
        return scope
    return ExportScope(scope.meeting_id, user.org_id)


def scoped_applications(scope: ExportScope, status: ApplicationStatus | None = None) -> Select:
    """The scope's applications in submission order, each read with its meeting, venue and union in one query."""
    query = (
        select(MembershipApplication)
        .order_by(MembershipApplication.submitted_at, MembershipApplication.id)
        .options(
            joinedload(MembershipApplication.meeting, innerjoin=True),
            joinedload(MembershipApplication.venue, innerjoin=True),
            joinedload(MembershipApplication.host_org, innerjoin=True),
        )
    )
    if status is not None:
        query = query.where(MembershipApplication.status == status)
    if scope.meeting_id is not None:
        query = query.where(MembershipApplication.meeting_id == scope.meeting_id)
    if scope.org_id is not None:
        query = query.where(MembershipApplication.host_org_id == scope.org_id)
    return query


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


def record_export(user: User, action: str, scope: ExportScope, query: Select, unmasked: bool, ip: str | None) -> int:
    """Audit the export before its first byte leaves, with the rows it holds; returns that count."""
    rows = xlsx.count(query)
    detail = {"meeting_id": scope.meeting_id, "org_id": scope.org_id, "rows": rows, "unmasked": unmasked}
    audit.record(user, action, "export", None, detail, ip)
    db.session.commit()
    return rows


def stamp() -> str:
    return now_in_shanghai().strftime("%Y%m%d-%H%M")

