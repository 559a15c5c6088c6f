"""PII at rest (Fernet), the blind index for uniqueness, the masks shown in every list, and the retention purge."""

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, g, has_request_context
from sqlalchemy import Integer, String, case, column, delete, func, select, tuple_, update, values

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


# (step, rows done so far, rows the step found at its start): told after each committed batch.
PurgeProgress = Callable[[str, int, int], None]

PURGE_BATCH = 500  # applications, each with its cards, moves and audit rows
UNLINK_BATCH = 2000  # visitors (one meeting's scans of one worker), or workers
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


def purge_expired(now: datetime | None = None, progress: PurgeProgress | None = None) -> PurgeResult:
    """Remove the PII of rejected/withdrawn applications and unlink old scans after RETENTION_DAYS.

    Counts survive: the application and card rows stay with their meeting, venue, union and status, and
    every old scan keeps a visitor key, re-keyed to a random value per meeting and visitor so it can no
    longer be tied to a worker. Every step commits bounded batches and picks only what is still to do, so
    an interrupted run keeps what it committed and the next run finishes the rest.
    """
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["RETENTION_DAYS"])
    told = progress or (lambda step, done, total: None)
    applications = purge_applications(cutoff, told)
    scans = unlink_scans(cutoff, told)
    workers = forget_idle_workers(cutoff, told)
    # Each step ends on the read that found nothing left to do: end that transaction too, or its locks would
    # hold up whatever comes next in the process (a migration's DDL waited on them for good).
    db.session.commit()
    return PurgeResult(applications, scans, workers)


def commit_batch(progress: PurgeProgress, step: str, done: int, total: int) -> None:
    db.session.commit()
    progress(step, done, total)


def count_of(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def purge_applications(cutoff: datetime, progress: PurgeProgress) -> int:
    """Purge expired applications PURGE_BATCH at a time by id, each batch with its cards and audit rows."""
    total = count_of(expired_applications(cutoff))
    purged, after_id = 0, 0
    while batch := list(db.session.scalars(
        expired_applications(cutoff).where(MembershipApplication.id > after_id)
        .order_by(MembershipApplication.id).limit(PURGE_BATCH)
    )):
        db.session.execute(
            update(MembershipApplication).where(MembershipApplication.id.in_(batch))
            .values(**PURGED_APPLICATION_COLUMNS,
                    purged_at=func.coalesce(MembershipApplication.purged_at, utcnow())),
            execution_options={"synchronize_session": False},
        )
        end_purged_cards(batch)
        forget_moves(batch)
        audit.redact_targets("membership_application", batch)
        purged, after_id = purged + len(batch), batch[-1]
        commit_batch(progress, "applications", purged, total)
    return purged


def expired_applications(cutoff: datetime):
    """Ended applications past retention that still hold anything of the person (their ids)."""
    application = MembershipApplication
    ended_at = func.coalesce(application.withdrawn_at, application.decided_at, application.submitted_at)
    # Every application has a gender (from its ID number), and purge clears it: a row purged before purge
    # cleared the quasi-identifiers still has one, and is finished now.
    holds_person = application.purged_at.is_(None) | application.gender.is_not(None)
    return select(application.id).where(
        application.status.in_([ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]),
        ended_at < cutoff, holds_person,
    )


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


def forget_idle_workers(cutoff: datetime, progress: PurgeProgress) -> int:
    """A worker with no live application, unseen since the cutoff, no longer needs a stored phone number."""
    live = select(MembershipApplication.id).where(
        MembershipApplication.worker_id == Worker.id,
        MembershipApplication.status.in_([ApplicationStatus(s) for s in LIVE_STATUSES]),
    )
    idle = (
        Worker.phone_enc.is_not(None) | Worker.session_key_enc.is_not(None),
        func.coalesce(Worker.last_seen_at, Worker.created_at) < cutoff,
        ~live.exists(),
    )
    total = count_of(select(Worker.id).where(*idle))
    forgotten, after_id = 0, 0
    while batch := list(db.session.scalars(
        select(Worker.id).where(*idle, Worker.id > after_id).order_by(Worker.id).limit(UNLINK_BATCH)
    )):
        # Asked again in the UPDATE: a worker who applied since the batch was read keeps the number.
        forgotten += db.session.execute(
            update(Worker).where(Worker.id.in_(batch), *idle).values(phone_enc=None, session_key_enc=None),
            execution_options={"synchronize_session": False},
        ).rowcount
        after_id = batch[-1]
        commit_batch(progress, "workers", forgotten, total)
    return forgotten


def unlink_scans(cutoff: datetime, progress: PurgeProgress) -> int:
    """Re-key old scans per meeting and visitor and drop their worker, UNLINK_BATCH visitors a committed batch.

    Visitors are walked in (meeting, visitor key) order on that index, so each batch starts where the last
    ended; a visitor is one UPDATE joined to the batch's new keys, not two statements per visitor.
    """
    old_linked = (Scan.worker_id.is_not(None), Scan.scanned_at < cutoff)
    visitor = (Scan.meeting_id, Scan.visitor_key)
    total = count_of(select(*visitor).where(*old_linked).distinct())
    unlinked, done, after = 0, 0, (0, "")
    while batch := db.session.execute(
        select(*visitor, func.count()).where(*old_linked, tuple_(*visitor) > after)
        .group_by(*visitor).order_by(*visitor).limit(UNLINK_BATCH)
    ).all():
        rekey_visitors([(meeting_id, key) for meeting_id, key, _ in batch], cutoff)
        unlinked += sum(scans for _, _, scans in batch)
        done, after = done + len(batch), tuple(batch[-1][:2])
        commit_batch(progress, "visitors", done, total)
    return unlinked


def rekey_visitors(visitors: list[tuple[int, str]], cutoff: datetime) -> None:
    """Give every scan of each (meeting, visitor) one new random key, and drop the worker of the old ones."""
    # The same new key for all of a visitor's scans at a meeting (newer ones too): unique visitors still add up.
    rekeyed = values(
        column("meeting_id", Integer), column("old_key", String), column("new_key", String), name="rekeyed"
    ).data([(meeting_id, key, "purged:" + secrets.token_hex(16)) for meeting_id, key in visitors]).cte("rekeyed")
    db.session.execute(
        update(Scan).where(Scan.meeting_id == rekeyed.c.meeting_id, Scan.visitor_key == rekeyed.c.old_key)
        .values(visitor_key=rekeyed.c.new_key,
                worker_id=case((Scan.scanned_at < cutoff, None), else_=Scan.worker_id)),
        execution_options={"synchronize_session": False},
    )
