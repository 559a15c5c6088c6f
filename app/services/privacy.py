"""PII at rest (Fernet), the blind index for uniqueness, the masks shown in every list, and the retention purge."""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import (
    ApplicationMove,
    ApplicationStatus,
    CardStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Scan,
    Worker,
)
from app.models.application import LIVE_STATUSES
from app.models.base import utcnow
from app.services import audit


def _fernet() -> Fernet:
    return _fernet_for(current_app.config["PII_KEY"])


@functools.lru_cache(maxsize=4)
def _fernet_for(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(plaintext: str | None) -> bytes | None:
    if plaintext is None:
        return None
    ciphertext = _fernet().encrypt(plaintext.encode())
    if has_request_context():
        # The same request shows what it just wrote (masked answer, ticker line): no need to decrypt it again.
        g.setdefault("pii_written", {})[ciphertext] = plaintext
    return ciphertext


def decrypt(ciphertext: bytes | None) -> str | None:
    if ciphertext is None:
        return None
    ciphertext = bytes(ciphertext)
    written = g.get("pii_written") if has_request_context() else None
    if written and ciphertext in written:
        return written[ciphertext]
    try:
        return _fernet().decrypt(ciphertext).decode()
    except InvalidToken:
        # A row written under a rotated-away key: show nothing rather than fail the whole list.
        current_app.logger.error("PII ciphertext could not be decrypted with the current PII_KEY")
        return None


def blind_index(id_number: str) -> str:
    """HMAC of the normalised ID number: equal for one person, useless without the key."""
    key = current_app.config["PII_HMAC_KEY"].encode()
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id_number(id_number: str | None) -> str:
    """First 3 and last 4 only: with the birth year beside it, ~10^7 numbers still fit (never the birth date)."""
    if not id_number:
        return ""
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_birth_date(birth_date: date | None) -> str:
    """The birth year alone: a full birth date next to a masked ID number gives most of it back."""
    return f"{birth_date.year}年" if birth_date else ""


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    return mobile[:3] + "****" + mobile[-4:]


@dataclass
class Identity:
    """An applicant's name, ID number, mobile and birth date, masked (every list) or in full (audited reveal)."""

    name: str
    id_number: str
    mobile: str
    birth: str


def identity_of(application: MembershipApplication, full: bool = False) -> Identity:
    """Decrypt an application's name, ID number and mobile; masked unless full is asked for."""
    name, id_number, mobile = (
        decrypt(application.name_enc), decrypt(application.id_number_enc), decrypt(application.mobile_enc)
    )
    if full:
        birth = application.birth_date.isoformat() if application.birth_date else ""
        return Identity(name or "", id_number or "", mobile or "", birth)
    return Identity(mask_name(name), mask_id_number(id_number), mask_mobile(mobile),
                    mask_birth_date(application.birth_date))


@dataclass
class PurgeResult:
    applications: int
    scans: int
    workers: int = 0


PURGE_BATCH = 500
# PIPL: a rejected or withdrawn application keeps only what the counts read (meeting, venue, booth, union,
# status and its times, consent version); the person, their answers and every word staff wrote about them go.
PURGED_APPLICATION_COLUMNS = {
    "name_enc": None, "id_number_enc": None, "mobile_enc": None, "id_blind_index": None, "worker_id": None,
    "gender": None, "birth_date": None, "residence": None, "id_valid_until": None, "id_valid_long_term": False,
    "employer": None, "employer_credit_code": None, "industry": None, "hukou_type": None, "new_form_job": None,
    "education": None, "political_status": None, "employment_status": None, "skill_level": None,
    "is_migrant_worker": None, "member_no": None, "decision_reason": None, "returned_fields": None,
    "recovery_code_hash": None, "recovery_code_expires_at": None, "idempotency_key": None,
}
PURGED_CARD_REASON = "入会申请未通过或已撤回，个人信息已按期清除"


def purge_expired(now: datetime | None = None) -> PurgeResult:
    """Remove the PII of rejected/withdrawn applications and unlink old scans after RETENTION_DAYS.

    Counts survive: the application and card rows stay with their meeting, venue, union and status, and
    every old scan keeps a visitor key, re-keyed to a random value per meeting and visitor so it can no
    longer be tied to a worker. Each step commits in batches, so a year's backlog finishes.
    """
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["RETENTION_DAYS"])
    applications = purge_applications(cutoff)
    scans = unlink_scans(cutoff)
    workers = forget_idle_workers(cutoff)
    db.session.commit()
    return PurgeResult(applications, scans, workers)


def purge_applications(cutoff: datetime) -> int:
    """Purge expired applications PURGE_BATCH at a time by id, each batch with its cards and audit rows."""
    purged, after_id = 0, 0
    while batch := expired_application_ids(cutoff, after_id):
        db.session.execute(
            update(MembershipApplication).where(MembershipApplication.id.in_(batch))
            .values(**PURGED_APPLICATION_COLUMNS,
                    purged_at=func.coalesce(MembershipApplication.purged_at, utcnow())),
            execution_options={"synchronize_session": False},
        )
        end_purged_cards(batch)
        forget_moves(batch)
        audit.redact_targets("membership_application", batch)
        db.session.commit()
        purged, after_id = purged + len(batch), batch[-1]
    return purged


def expired_application_ids(cutoff: datetime, after_id: int) -> list[int]:
    """The next batch of ended applications past retention that still hold anything of the person."""
    application = MembershipApplication
    ended_at = func.coalesce(application.withdrawn_at, application.decided_at, application.submitted_at)
    # Every application has a gender (from its ID number), and purge clears it: a row purged before purge
    # cleared the quasi-identifiers still has one, and is finished now.
    holds_person = application.purged_at.is_(None) | application.gender.is_not(None)
    query = (
        select(application.id)
        .where(application.status.in_([ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]),
               ended_at < cutoff, holds_person, application.id > after_id)
        .order_by(application.id).limit(PURGE_BATCH)
    )
    return list(db.session.scalars(query))


def end_purged_cards(application_ids: list[int]) -> None:
    """Cards of purged applications keep their counts but no key to the person, no typed text, and no pending.

    Without its key a purged person may apply for a card again; a card left pending would wait at the
    card desk for someone whose data is gone.
    """
    card = MutualAidCardApplication
    of_purged = card.membership_application_id.in_(application_ids)
    options = {"synchronize_session": False}
    db.session.execute(update(card).where(of_purged, card.status == CardStatus.PENDING)
                       .values(status=CardStatus.REJECTED, decided_at=utcnow()), execution_options=options)
    db.session.execute(update(card).where(of_purged)
                       .values(id_blind_index=None, worker_id=None, branch=None, decision_reason=PURGED_CARD_REASON),
                       execution_options=options)


def forget_moves(application_ids: list[int]) -> None:
    """A move names the phone an application left: once the application is purged, nothing may tie it there."""
    db.session.execute(delete(ApplicationMove).where(ApplicationMove.application_id.in_(application_ids)),
                       execution_options={"synchronize_session": False})


def forget_idle_workers(cutoff: datetime) -> int:
    """A worker with no live application, unseen since the cutoff, no longer needs a stored phone number."""
    live = select(MembershipApplication.worker_id).where(
        MembershipApplication.status.in_([ApplicationStatus(s) for s in LIVE_STATUSES])
    )
    statement = (
        update(Worker)
        .where(
            Worker.phone_enc.is_not(None) | Worker.session_key_enc.is_not(None),
            func.coalesce(Worker.last_seen_at, Worker.created_at) < cutoff,
            Worker.id.not_in(live),
        )
        .values(phone_enc=None, session_key_enc=None)
    )
    return db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount


def unlink_scans(cutoff: datetime) -> int:
    """Re-key old scans per meeting and visitor and drop their worker, committing every PURGE_BATCH visitors."""
    old = (Scan.scanned_at < cutoff) & Scan.worker_id.is_not(None)
    visitors = db.session.execute(select(Scan.meeting_id, Scan.visitor_key).where(old).distinct()).all()
    unlinked = 0
    for number, (meeting_id, visitor_key) in enumerate(visitors, 1):
        same_visitor = (Scan.meeting_id == meeting_id) & (Scan.visitor_key == visitor_key)
        # Every scan of this visitor at this meeting gets the same new key, so unique visitors still add up.
        anonymous = "purged:" + secrets.token_hex(16)
        db.session.execute(update(Scan).where(same_visitor).values(visitor_key=anonymous),
                           execution_options={"synchronize_session": False})
        result = db.session.execute(
            update(Scan).where(Scan.meeting_id == meeting_id, Scan.visitor_key == anonymous, Scan.scanned_at < cutoff)
            .values(worker_id=None),
            execution_options={"synchronize_session": False},
        )
        unlinked += result.rowcount
        if number % PURGE_BATCH == 0:
            db.session.commit()
    return unlinked
