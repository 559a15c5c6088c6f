"""The audit trail: one helper so every sensitive action is written the same way."""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, User
from app.services import access


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


AUDIT_PAGE_SIZE = 50
ACTION_LABELS = {
    "application.approve": "入会审核：通过",
    "application.return": "入会审核：退回",
    "application.reject": "入会审核：驳回",
    "application.transfer": "入会审核：转交",
    "pii.reveal": "查看完整个人信息",
    "application.lookup": "岗位查询入会申请（核对身份证）",
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
    "entry_code.revoke": "作废二维码",
    "display_link_issue": "发放大屏链接",
    "display_link_revoke": "作废大屏链接",
    "summary_export": "导出沟通会日报",
}


@dataclass
class AuditPage:
    entries: list[AuditLog]
    page: int
    has_next: bool


def search(viewer: User, action: str | None = None, username: str | None = None, page: int = 1) -> AuditPage:
    """The audit trail, newest first, for district admins only."""
    access.require(access.is_district_admin(viewer))
    query = select(AuditLog).order_by(AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if username:
        query = query.join(User, AuditLog.user_id == User.id).where(User.username == username)
    page = max(page, 1)
    rows = list(db.session.scalars(query.offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)))
    return AuditPage(rows[:AUDIT_PAGE_SIZE], page, len(rows) > AUDIT_PAGE_SIZE)


def actions() -> list[str]:
    """Every action written so far, for the viewer's filter."""
    return list(db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)))
