"""At the booth, with the person's ID card in hand: where their application stands, a code that moves it to
their phone, or voiding one that somebody else filed with their ID number (冒用身份证号).

Every step needs the ID number itself (never an application id), is limited to staff who may work the
booth, sees only the applications those staff may see (another town's is answered as no application at all,
issue 22), and is audited. A void frees the ID number at once: the person can apply on the spot. An approved
membership is voided only by its reviewing union (app/services/afterday/review.py), never at a booth.
"""

from dataclasses import dataclass

from sqlalchemy import update

from app.errors import AppError
from app.extensions import db
from app.models import (
    ApplicationStatus,
    Booth,
    CardStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import access, audit, privacy
from app.services.intake import enrolment, identity, recovery, worker_messages
from app.services.live import intake_counters

VOID_REASON_MAX = 150
VOID_PREFIX = "冒用身份证号："
# What the holder's phone is told: the staff's reason may name people, so it stays in the audit log.
VOID_NOTE = "经工会核实已作废，如有疑问请联系工会"


@dataclass
class BoothLookup:
    id_number: str
    application: MembershipApplication | None
    recovery_code: str | None = None


def look_up(user: User, booth: Booth, id_number: str, ip: str | None) -> BoothLookup:
    """The live application of the ID number on the card in front of the staff member (audited)."""
    found = find(user, booth, id_number)
    audit.record(user, "application.lookup", "membership_application",
                 found.application.id if found.application else None, {"booth_id": booth.id}, ip)
    db.session.commit()
    return found


def give_recovery_code(user: User, booth: Booth, id_number: str, ip: str | None) -> BoothLookup:
    """A one-time code the person types on their phone (找回我的申请) to move the application there."""
    found = existing(find(user, booth, id_number))
    found.recovery_code = recovery.issue_code(found.application)
    audit.record(user, "application.recovery_code", "membership_application", found.application.id,
                 {"booth_id": booth.id}, ip)
    db.session.commit()
    return found


def void(user: User, booth: Booth, id_number: str, reason: str, ip: str | None) -> BoothLookup:
    """Void the undecided application filed with this person's ID number by someone else; the ID is free again."""
    check_reason(reason)
    found = existing(find(user, booth, id_number))
    # Locked and read again: a reviewer may have approved it since the page was shown.
    db.session.refresh(found.application, with_for_update=True)
    if found.application.status is ApplicationStatus.APPROVED:
        db.session.rollback()
        raise member_voided_at_review(found.application)
    void_application(user, found.application, reason, ip, {"booth_id": booth.id})
    return BoothLookup(found.id_number, None)


def member_voided_at_review(application: MembershipApplication) -> AppError:
    union = application.host_org.union_name
    message = f"已入会的会员不能在岗位作废。请联系审核工会（{union}），由其核实后在审核页面作废。"
    return AppError("void_needs_review", message, 409)


def void_application(user: User, application: MembershipApplication, reason: str, ip: str | None,
                     detail: dict) -> None:
    """冒用身份证号: withdraw it as voided, reject its card, audit it; the ID number may apply again at once.

    The caller has checked who may (the booth's staff with the card in hand, or its reviewing union).
    """
    reason = check_reason(reason)
    detail = {**detail, "reason": reason, "status_before": application.status.value}
    now = utcnow()
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = application.voided_at = application.decided_at = now
    application.decided_by_id = user.id
    application.decision_reason = VOID_PREFIX + reason
    # A card applied for with it would keep holding the ID number's one card.
    db.session.execute(
        update(MutualAidCardApplication)
        .where(MutualAidCardApplication.membership_application_id == application.id,
               MutualAidCardApplication.status != CardStatus.REJECTED)
        .values(status=CardStatus.REJECTED, decision_reason="入会申请已作废（冒用身份证号）", decided_at=now)
    )
    audit.record(user, "application.void", "membership_application", application.id, detail, ip)
    db.session.commit()
    # Rare, and it may take back a join and an approval: recount the meeting rather than patch counters.
    intake_counters.rebuild(application.meeting_id)
    worker_messages.tell_worker(application.worker, "已作废", VOID_NOTE, now)


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > VOID_REASON_MAX:
        message = f"请写明核实情况（不超过 {VOID_REASON_MAX} 个字），将记入审计日志"
        raise AppError("reason_required", message, 422, {"reason": message})
    return reason


def find(user: User, booth: Booth, id_number: str) -> BoothLookup:
    access.require(access.can_help_at(user, booth))
    value = identity.normalise_id_number(id_number)
    try:
        identity.parse_id_number(value, identity.today_in_beijing())
    except identity.IdentityError as error:
        raise AppError("validation_error", str(error), 422, {"id_number": str(error)}) from error
    application = enrolment.live_application(privacy.blind_index(value))
    # One the user may not see is no application at all: the same page, the same 404, nothing to tell apart.
    return BoothLookup(value, application if application and may_see(user, booth, application) else None)


def may_see(user: User, booth: Booth, application: MembershipApplication) -> bool:
    """Booth staff: applications of the booth's meeting or of its venue's union; admins: their union's."""
    if user.role is Role.BOOTH_STAFF:
        venue = booth.venue
        return application.meeting_id == venue.meeting_id or application.host_org_id == venue.host_org_id
    return access.can_see_org(user, application.host_org_id)


def existing(found: BoothLookup) -> BoothLookup:
    if found.application is None:
        raise AppError("application_not_found", "该身份证号没有正在办理或已通过的入会申请", 404)
    return found
