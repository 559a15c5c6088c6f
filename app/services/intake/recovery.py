"""找回我的申请: a worker moves their own live application to the phone in their hand.

The proof is the ID number plus either a one-time code booth staff gave after checking the ID card
(app/services/intake/booth_help.py), or the caller's WeChat-verified phone number being the mobile on the
application. A typed mobile proves nothing (an ID number and a mobile sit together in HR files and leaked
lists, issue 22): without a code, H5 visitors (no WeChat, no verified phone) are sent to the booth, and an
approved membership moves only with a code. Any mismatch gets one generic answer, so the call tells a
stranger nothing about an ID number; the view limits it tightly per token, address and ID number, and every
attempt is audited. The previous holder is told, keeps a read-only line of it, and for a day the application
can be neither withdrawn nor corrected (app/services/intake/moves.py).
"""

import hmac
import secrets
from datetime import timedelta
from typing import NoReturn

from sqlalchemy import update

from app.errors import AppError
from app.extensions import db
from app.models import ApplicationStatus, MembershipApplication, MutualAidCardApplication, Worker
from app.models.base import utcnow
from app.services import audit, privacy
from app.services.intake import enrolment, identity, moves, worker_messages, workers
from app.services.live.intake_sql import as_utc

RECOVERY_FAILED = (
    "没有找到与所填身份证号和您的微信手机号（或找回码）相符的入会申请。请核对后再试，或到沟通会现场请工作人员协助。"
)
CODE_REQUIRED_ON_H5 = "网页版不能自助找回申请。请到沟通会现场，工作人员核对身份证后会给您一个找回码，填写找回码即可。"
PHONE_NOT_VERIFIED = (
    "请先验证微信手机号（须是申请时填写的手机号）再找回；也可以到沟通会现场，请工作人员核对身份证后给您找回码。"
)
MEMBER_NEEDS_CODE = "已入会的申请需要找回码：请带身份证到沟通会现场，工作人员核对后会给您一个找回码。"
MOVED_NOTE = "已转到其他手机，非本人操作请联系工会"
CODE_LIFETIME = timedelta(minutes=15)


def recover(worker: Worker, id_number: str, code: str | None, ip: str | None) -> MembershipApplication:
    """Move the live application of this ID number to the worker when the proof matches; 404 otherwise."""
    code = identity.normalise_text(code)
    way_refused = refusal_of_self_service(worker) if not code else None
    if way_refused:
        refuse(worker, None, ip, way_refused)
    application = enrolment.live_application(privacy.blind_index(identity.normalise_id_number(id_number)))
    proof = proof_of(application, worker, code) if application else None
    if proof is None:
        refuse(worker, application.id if application else None, ip, AppError("recovery_failed", RECOVERY_FAILED, 404))
    if proof == "phone" and application.status is ApplicationStatus.APPROVED:
        # Only the holder of the verified phone on it gets this far: telling them it is approved tells no stranger.
        refuse(worker, application.id, ip, AppError("member_needs_recovery_code", MEMBER_NEEDS_CODE, 409))
    previous = application.worker if application.worker_id != worker.id else None
    detail = {"from_worker_id": application.worker_id, "to_worker_id": worker.id, "proof": proof}
    move_to(application, worker)
    audit.record(None, "application.recover", "membership_application", application.id, detail, ip)
    db.session.commit()
    if previous:
        worker_messages.tell_worker(previous, "已转走", MOVED_NOTE, utcnow())
    return application


def refusal_of_self_service(worker: Worker) -> AppError | None:
    """Without a booth's code the proof is the WeChat-verified phone: an H5 visitor has none, nor may some workers."""
    if workers.kind_of(worker) == "h5":
        return AppError("recovery_code_required", CODE_REQUIRED_ON_H5, 403)
    if not worker.phone_enc:
        return AppError("phone_not_verified", PHONE_NOT_VERIFIED, 403)
    return None


def refuse(worker: Worker, target_id: int | None, ip: str | None, error: AppError) -> NoReturn:
    audit.record(None, "application.recover_failed", "membership_application", target_id,
                 {"worker_id": worker.id, "code": error.code}, ip)
    db.session.commit()
    raise error


def proof_of(application: MembershipApplication, worker: Worker, code: str) -> str | None:
    """"code" when the booth's code is given and right, else "phone" when the verified phone is the application's
    mobile; compared in constant time."""
    if code:
        live_code = application.recovery_code_hash and application.recovery_code_expires_at and (
            as_utc(application.recovery_code_expires_at) > utcnow()
        )
        matches = live_code and hmac.compare_digest(code_hash(application, code), application.recovery_code_hash)
        return "code" if matches else None
    verified = privacy.decrypt(worker.phone_enc) or ""
    stored = privacy.decrypt(application.mobile_enc) or ""
    return "phone" if verified and hmac.compare_digest(verified, stored) else None


def issue_code(application: MembershipApplication) -> str:
    """A 6-digit code that moves this application to whoever types it with the ID number, for 15 minutes."""
    code = f"{secrets.randbelow(10**6):06d}"
    application.recovery_code_hash = code_hash(application, code)
    application.recovery_code_expires_at = utcnow() + CODE_LIFETIME
    return code


def move_to(application: MembershipApplication, worker: Worker) -> None:
    if application.worker_id != worker.id:
        moves.record(application, application.worker_id)
    application.worker_id = worker.id
    application.recovery_code_hash = None
    application.recovery_code_expires_at = None
    # The card applied for with it follows, so the worker sees it on the new phone too.
    db.session.execute(
        update(MutualAidCardApplication)
        .where(MutualAidCardApplication.membership_application_id == application.id)
        .values(worker_id=worker.id)
    )


def code_hash(application: MembershipApplication, code: str) -> str:
    return privacy.blind_index(f"recovery:{application.id}:{code}")
