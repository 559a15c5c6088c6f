"""找回我的申请: a worker moves their own live application to the phone in their hand.

The proof is the ID number plus the mobile given on the application, or the ID number plus a one-time code
booth staff gave them after checking their ID card (app/services/intake/booth_help.py). Any mismatch gets one
generic answer, so the call tells a stranger nothing about an ID number; the view limits it tightly per
token, address and ID number, and every attempt is audited.
"""

import hmac
import secrets
from datetime import timedelta

from sqlalchemy import update

from app.errors import AppError
from app.extensions import db
from app.models import MembershipApplication, MutualAidCardApplication, Worker
from app.models.base import utcnow
from app.services import audit, privacy
from app.services.intake import enrolment, identity

RECOVERY_FAILED = (
    "没有找到与所填身份证号和手机号（或找回码）相符的入会申请。请核对后再试，或到沟通会现场请工作人员协助。"
)
CODE_LIFETIME = timedelta(minutes=15)


def recover(worker: Worker, id_number: str, mobile: str | None, code: str | None, ip: str | None):
    """Move the live application of this ID number to the worker when the proof matches; 404 otherwise."""
    application = enrolment.live_application(privacy.blind_index(identity.normalise_id_number(id_number)))
    proof = proof_of(application, mobile, code) if application else None
    target_id = application.id if application else None
    if proof is None:
        audit.record(None, "application.recover_failed", "membership_application", target_id,
                     {"worker_id": worker.id}, ip)
        db.session.commit()
        raise AppError("recovery_failed", RECOVERY_FAILED, 404)
    detail = {"from_worker_id": application.worker_id, "to_worker_id": worker.id, "proof": proof}
    move_to(application, worker)
    audit.record(None, "application.recover", "membership_application", application.id, detail, ip)
    db.session.commit()
    return application


def proof_of(application: MembershipApplication, mobile: str | None, code: str | None) -> str | None:
    """"mobile" or "code" when either proves the person; compared in constant time."""
    given_mobile = identity.normalise_mobile(mobile)
    stored_mobile = privacy.decrypt(application.mobile_enc) or ""
    if given_mobile and hmac.compare_digest(given_mobile, stored_mobile):
        return "mobile"
    code = identity.normalise_text(code)
    live_code = application.recovery_code_hash and application.recovery_code_expires_at and (
        as_aware(application.recovery_code_expires_at) > utcnow()
    )
    if code and live_code and hmac.compare_digest(code_hash(application, code), application.recovery_code_hash):
        return "code"
    return None


def issue_code(application: MembershipApplication) -> str:
    """A 6-digit code that moves this application to whoever types it with the ID number, for 15 minutes."""
    code = f"{secrets.randbelow(10**6):06d}"
    application.recovery_code_hash = code_hash(application, code)
    application.recovery_code_expires_at = utcnow() + CODE_LIFETIME
    return code


def move_to(application: MembershipApplication, worker: Worker) -> None:
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


def as_aware(moment):
    # SQLite hands timestamps back naive, though we store them in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
