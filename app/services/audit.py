"""The audit trail: one helper so every sensitive action is written the same way."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import LargeBinary, case, literal_column, null, select, union_all, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditLog, Booth, Meeting, Org, User, Venue, Worker
from app.services import access, paging, privacy
from app.services.intake.form_options import FIELD_LABELS
from app.services.local_time import SHANGHAI


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    detail: dict | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits it with the change)."""
    entry = AuditLog(
        user_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
        ip=ip,
    )
    db.session.add(entry)
    return entry


# What an audit row about a purged person keeps besides action, time and actor: where and which way it went,
# never what staff typed (a reason may hold a phone number) nor a key back to the person (worker ids).
KEPT_WHEN_REDACTED = ("booth_id", "from_org_id", "to_org_id", "via", "status_before", "proof", "fields")


def redact_targets(target_type: str, target_ids: list[int]) -> None:
    """Strip the audit rows of purged targets down to action, time, actor and KEPT_WHEN_REDACTED details."""
    rows = db.session.execute(
        select(AuditLog.id, AuditLog.user_id, AuditLog.ip, AuditLog.detail)
        .where(AuditLog.target_type == target_type, AuditLog.target_id.in_(target_ids))
    ).all()
    if rows:
        # A row without a staff actor was the worker's own act: its address is theirs, not staff's.
        db.session.execute(update(AuditLog), [
            {"id": row_id, "detail": redacted(detail), "ip": ip if user_id else None}
            for row_id, user_id, ip, detail in rows
        ])


def redacted(detail: dict | None) -> dict:
    kept = {key: value for key, value in (detail or {}).items() if key in KEPT_WHEN_REDACTED}
    return {**kept, "redacted": True}


ACTION_LABELS = {
    "application.approve": "入会审核：通过",
    "application.return": "入会审核：退回",
    "application.reject": "入会审核：驳回",
    "application.transfer": "入会审核：转交",
    "pii.reveal": "查看完整个人信息",
    "application.lookup": "岗位查询入会申请（核对身份证）",
    "application.search": "按身份证号查找入会申请",
    "application.recovery_code": "岗位发放找回码",
    "application.void": "作废入会申请（冒用身份证号）",
    "application.recover": "职工找回入会申请",
    "application.recover_failed": "职工找回入会申请未成功",
    "export.applications": "导出入会申请",
    "export.member_register": "导出会员登记表",
    "cards.send_to_bank": "互助服务卡报送银行",
    "cards.bank_file": "重新下载报送文件",
    "cards.issued": "互助服务卡已发卡",
    "cards.rejected": "互助服务卡未通过",
    "ledger.import": "台账导入",
    "ledger.delete": "台账删除企业",
    "ledger.move": "企业改属其他镇街",
    "entry_code.revoke": "作废二维码",
    "display_link_issue": "发放大屏链接",
    "display_link_revoke": "作废大屏链接",
    "summary_export": "导出沟通会日报",
    "tally_undo": "撤销岗位计数",
    "user.create": "创建账号",
    "user.password": "重设账号密码",
    "user.deactivate": "停用账号",
    "user.reactivate": "重新启用账号",
    "user.update": "修改账号",
    "user.reset": "重置密码（一次性密码）",
    "user.bulk_create": "批量创建岗位账号",
    "district.setup": "创建区总工会",
    "org.create": "新建工会",
    "org.update": "修改工会",
    "org.retire": "撤销工会",
    "org.restore": "恢复工会",
    "org.delete": "删除工会",
    "org.import": "导入工会",
    "meeting.copy": "复制沟通会",
    "venues.import": "导入会场和岗位",
    "booth.assign": "安排岗位人员",
    "booth.unassign": "取消岗位安排",
    "booth_pass.issue": "发放岗位链接",
    "booth_pass.revoke": "作废岗位链接",
    "booth_pass.enter": "通过岗位链接进入计数页",
    "security.sign_out_everyone": "结束全部登录（密钥泄露处置）",
}
TARGET_LABELS = {
    "membership_application": "入会申请",
    "mutual_aid_card_application": "互助服务卡申请",
    "export": "导出文件",
    "enterprise": "台账企业",
    "entry_code": "二维码",
    "display_link": "大屏链接",
    "meeting": "沟通会",
    "tally": "岗位计数",
    "user": "账号",
    "org": "工会",
    "booth": "岗位",
    "booth_pass": "岗位链接",
    "deployment": "全部账号和职工",
}
DETAIL_LABELS = {
    "member_no": "会员编号",
    "reason": "原因",
    "card_ids": "服务卡申请编号",
    "rows": "行数",
    "unmasked": "含完整个人信息",
    "created": "新增",
    "updated": "更新",
    "errors": "出错行数",
    "name": "名称",
    "credit_code": "统一社会信用代码",
    "code": "二维码",
    "replaced_by": "新二维码",
    "username": "用户名",
    "role": "角色",
    "kind": "类型",
    "quantity": "数量",
    "proof": "核验方式",
    "status_before": "原状态",
    "via": "办理途径",
    "fields": "需修改的项目",
    "venues": "会场数",
    "booths": "岗位数",
    "accounts": "账号数",
    "workers": "职工数",
    "label": "名称",
    "sort_order": "排序",
    "old_name": "原名称",
    "redacted": "原因等已按期清除",
}
# Details that point at a row by its database id, read as that row's name: key -> (label, kind of row).
NAMED_DETAILS = {
    "booth_id": ("岗位", "booth"), "venue_id": ("会场", "venue"),
    "meeting_id": ("沟通会", "meeting"), "source_meeting_id": ("复制自沟通会", "meeting"),
    "org_id": ("组织", "org"), "from_org_id": ("原组织", "org"), "to_org_id": ("转交组织", "org"),
    "staff_id": ("岗位人员", "user"),
    "worker_id": ("职工", "worker"), "from_worker_id": ("原手机", "worker"), "to_worker_id": ("新手机", "worker"),
}
# The objects named the same way in the 对象 column.
NAMED_TARGETS = {"booth": "booth", "meeting": "meeting", "org": "org", "user": "user"}
# Audit rows without a staff actor: these the worker did on their own phone, the rest the system did.
WORKER_ACTIONS = {"application.recover", "application.recover_failed"}
VALUE_LABELS = {
    "materials": "宣传材料", "consultation": "咨询", "legal": "法律咨询", "union_intent": "建会意向",
    "district_admin": "区总工会管理员", "org_admin": "镇街工会管理员", "booth_staff": "岗位工作人员",
    "viewer": "只读查看",
    "mobile": "手机号", "code": "找回码", "review": "审核页面",
    "submitted": "已提交", "returned": "已退回", "approved": "已通过",
    # Why a worker's own recovery was refused (application.recover_failed's code).
    "recovery_failed": "身份证号或验证方式不对", "member_needs_recovery_code": "已入会，需要岗位找回码",
    "recovery_code_required": "H5 页面需要岗位找回码", "phone_not_verified": "手机号未经微信验证",
}
# Values that are names of the join form's fields (a return's 需修改的项目), as the form labels them.
VALUES_BY_KEY = {"fields": FIELD_LABELS}


@dataclass
class AuditLine:
    """One audit row as people read it: who, Chinese names, details as 「key：value」 lines."""

    entry: AuditLog
    actor: str
    action: str
    target: str
    details: list[tuple[str, str]]


# Names of rows by (kind, id): what a page of audit rows points at, looked up once for the page.
Names = dict[tuple[str, int], str]


def describe(entry: AuditLog, names: Names | None = None) -> AuditLine:
    """Chinese labels for the actor, the action, the object and each detail of an audit row; ids by `names`."""
    names = names or {}
    target = TARGET_LABELS.get(entry.target_type, "其他对象")
    if entry.target_id is not None:
        named = names.get((NAMED_TARGETS.get(entry.target_type), entry.target_id))
        target += f" {named}" if named else f" #{entry.target_id}"
    details = [detail_line(key, value, names) for key, value in (entry.detail or {}).items()]
    return AuditLine(entry, actor_of(entry), ACTION_LABELS.get(entry.action, "其他操作"), target, details)


def actor_of(entry: AuditLog) -> str:
    if entry.user:
        return entry.user.display_name
    return "职工本人" if entry.action in WORKER_ACTIONS else "系统"


def detail_line(key: str, value, names: Names) -> tuple[str, str]:
    if key in NAMED_DETAILS and isinstance(value, int):
        label, kind = NAMED_DETAILS[key]
        return label, names.get((kind, value), f"#{value}")  # a row since deleted keeps its number
    return DETAIL_LABELS.get(key, key), readable(value, VALUES_BY_KEY.get(key, VALUE_LABELS))


def readable(value, labels: dict = VALUE_LABELS) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(readable(item, labels) for item in value) or "—"
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)


def ids_named_by(entries: list[AuditLog]) -> dict[str, set[int]]:
    """The ids of each kind of row the entries point at, in their details or as their object."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        for key, value in (entry.detail or {}).items():
            if key in NAMED_DETAILS and isinstance(value, int):
                wanted.setdefault(NAMED_DETAILS[key][1], set()).add(value)
        if entry.target_type in NAMED_TARGETS and entry.target_id is not None:
            wanted.setdefault(NAMED_TARGETS[entry.target_type], set()).add(entry.target_id)
    return wanted


# Each kind of row as (kind, id, name, verified phone): one SELECT each, joined into one query for a page.
NO_PHONE = null().cast(LargeBinary)
NAME_SELECTS = {
    "booth": lambda: select(literal_column("'booth'"), Booth.id, Venue.name + " · " + Booth.name, NO_PHONE)
    .join(Booth.venue),
    "venue": lambda: select(literal_column("'venue'"), Venue.id, Venue.name, NO_PHONE),
    "meeting": lambda: select(literal_column("'meeting'"), Meeting.id, Meeting.title, NO_PHONE),
    "org": lambda: select(literal_column("'org'"), Org.id, Org.name, NO_PHONE),
    "user": lambda: select(literal_column("'user'"), User.id, User.display_name + "（" + User.username + "）",
                           NO_PHONE),
    # A worker has no name: the way they came in, and (below) their verified phone masked; none on H5.
    "worker": lambda: select(literal_column("'worker'"), Worker.id,
                             case((Worker.h5_visitor_id.isnot(None), "H5 页面"), else_="微信小程序"), Worker.phone_enc),
}
ID_COLUMNS = {"booth": Booth.id, "venue": Venue.id, "meeting": Meeting.id, "org": Org.id, "user": User.id,
              "worker": Worker.id}


def names_for(entries: list[AuditLog]) -> Names:
    """The names of every row the entries point at, in one query for the page (never one per audit row)."""
    wanted = ids_named_by(entries)
    if not wanted:
        return {}
    selects = [NAME_SELECTS[kind]().where(ID_COLUMNS[kind].in_(ids)) for kind, ids in wanted.items()]
    rows = db.session.execute(union_all(*selects))
    return {(kind, row_id): with_phone(name, phone) for kind, row_id, name, phone in rows}


def with_phone(name: str, phone_enc: bytes | None) -> str:
    phone = privacy.decrypt(phone_enc)
    return f"{name} · {privacy.mask_mobile(phone)}" if phone else name


@dataclass
class AuditFilter:
    action: str | None = None
    username: str | None = None
    since: date | None = None  # Beijing dates, both inclusive
    until: date | None = None


# Newest first; the trail grows by ~300,000 rows a year, so a page is found by keyset and never counted.
AUDIT_ORDER = paging.Order((AuditLog.created_at, AuditLog.id), descending=True)


def search(viewer: User, wanted: AuditFilter, page: paging.PageRequest) -> paging.Page:
    """The audit trail as AuditLines, newest first, for district admins only: by action, actor and Beijing date."""
    access.require(access.is_district_admin(viewer))
    query = select(AuditLog)
    if wanted.action:
        query = query.where(AuditLog.action == wanted.action)
    if wanted.username:
        query = query.where(AuditLog.user_id == select(User.id).where(User.username == wanted.username)
                            .scalar_subquery())
    if wanted.since:
        query = query.where(AuditLog.created_at >= start_of_beijing_day(wanted.since))
    if wanted.until:
        query = query.where(AuditLog.created_at < start_of_beijing_day(wanted.until + timedelta(days=1)))
    found = paging.page_of(query, AUDIT_ORDER, lambda entry: (entry.created_at, entry.id), page,
                           load=(joinedload(AuditLog.user),), counted=False)
    names = names_for(found.items)
    return replace(found, items=[describe(entry, names) for entry in found.items])


def start_of_beijing_day(day: date) -> datetime:
    # In UTC: SQLite keeps naive UTC strings and compares them as text.
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def actors() -> list[User]:
    """Everyone who has an audit row, for the viewer's filter (one index probe per account, not a trail scan)."""
    wrote = select(AuditLog.id).where(AuditLog.user_id == User.id).exists()
    return list(db.session.scalars(select(User).where(wrote).order_by(User.username)))
