"""Booth tallies (SPEC §5): materials handed out, consultations, legal advice, 建会意向 — each tap once.

A tap carries a client-generated idempotency key; the unique column makes a replayed or doubled tap
return the first tally instead of counting again, even when two retries race.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.errors import AppError
from app.extensions import db
from app.models import Booth, ContactRecord, Enterprise, Tally, TallyKind, User
from app.models.base import utcnow
from app.services import access, audit
from app.services.live import intake_counters
from app.services.live.intake_sql import as_utc

MAX_QUANTITY = 1000
KEY_LENGTH = (8, 80)
UNION_INTENT_OUTCOME = "有建会意向"
UNDO_SECONDS = 30


@dataclass
class TallyInput:
    idempotency_key: str
    kind: str
    quantity: int = 1
    firm_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclass
class TallyResult:
    tally: Tally
    created: bool


def record_tally(user: User, booth: Booth, tap: TallyInput) -> TallyResult:
    """Count one tap at a booth; the same idempotency key again returns the first tally, uncounted."""
    access.require(access.can_tally_at(user, booth))
    existing = db.session.scalar(select(Tally).where(Tally.idempotency_key == tap.idempotency_key))
    if existing is not None:
        return TallyResult(existing, created=False)
    if not booth.venue.meeting.accepts_intake:
        raise AppError("meeting_closed", "本场沟通会未在进行中，不能计数", 410)
    tally = Tally(
        idempotency_key=tap.idempotency_key, meeting_id=booth.venue.meeting_id, venue_id=booth.venue_id,
        booth_id=booth.id, staff_id=user.id, **checked_fields(tap),
    )

    def with_ledger_contact() -> None:
        if tally.kind is TallyKind.UNION_INTENT:
            add_ledger_contact(tally, booth, user)

    return saved(tally, with_ledger_contact, won_by=select(Tally).where(Tally.idempotency_key == tap.idempotency_key))


def undo_tally(user: User, booth: Booth, idempotency_key: str, undoes_key: str, ip: str | None = None) -> TallyResult:
    """撤销 a tap of this booth's staff member within 30 s: a compensating tally counts it back down (audited).

    Retried with either key, the first undo is returned and nothing counts twice.
    """
    access.require(access.can_tally_at(user, booth))
    original = db.session.scalar(select(Tally).where(
        Tally.idempotency_key == undoes_key, Tally.booth_id == booth.id, Tally.undoes_id.is_(None),
    ))
    if original is None or original.staff_id != user.id:
        raise AppError("tally_not_found", "找不到要撤销的计数", 404)
    existing = db.session.scalar(select(Tally).where(Tally.undoes_id == original.id))
    if existing is not None:
        return TallyResult(existing, created=False)
    if utcnow() - as_utc(original.created_at) > timedelta(seconds=UNDO_SECONDS):
        raise AppError("undo_expired", f"只能撤销 {UNDO_SECONDS} 秒内的计数", 409)
    if not KEY_LENGTH[0] <= len(idempotency_key or "") <= KEY_LENGTH[1]:
        raise AppError("validation_error", "缺少有效的请求编号", 422, fields={"idempotency_key": "缺少有效的请求编号"})
    undo = Tally(
        idempotency_key=idempotency_key, meeting_id=original.meeting_id, venue_id=original.venue_id,
        booth_id=original.booth_id, staff_id=user.id, kind=original.kind, quantity=-original.quantity,
        firm_name=original.firm_name, undoes_id=original.id,
    )

    def without_contact_audited() -> None:
        # A 建会意向 taken back is no contact with the firm either.
        db.session.execute(delete(ContactRecord).where(ContactRecord.tally_id == original.id))
        audit.record(user, "tally_undo", "tally", original.id,
                     {"kind": original.kind.value, "quantity": original.quantity, "booth_id": booth.id}, ip)

    return saved(undo, without_contact_audited, won_by=select(Tally).where(Tally.undoes_id == original.id))


def saved(tally: Tally, along, won_by) -> TallyResult:
    """Commit a tally with what goes `along` with it, and count it; if a retry of the same tap (or 撤销) won
    the race, the unique index refuses this one and the winner, found `won_by`, is the tally that counts."""
    db.session.add(tally)
    try:
        db.session.flush()
        along()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return TallyResult(db.session.scalar(won_by), created=False)
    intake_counters.tally_recorded(tally)
    return TallyResult(tally, created=True)


def checked_fields(tap: TallyInput) -> dict:
    errors = {}
    if not KEY_LENGTH[0] <= len(tap.idempotency_key or "") <= KEY_LENGTH[1]:
        errors["idempotency_key"] = "缺少有效的请求编号"
    if tap.kind not in {kind.value for kind in TallyKind}:
        errors["kind"] = "计数类型不正确"
    if not isinstance(tap.quantity, int) or not 1 <= tap.quantity <= MAX_QUANTITY:
        errors["quantity"] = f"数量应为 1–{MAX_QUANTITY} 的整数"
    firm_name = (tap.firm_name or "").strip()
    if tap.kind == TallyKind.UNION_INTENT.value and not firm_name:
        errors["firm_name"] = "请填写企业名称"
    if len(firm_name) > 120 or len(tap.contact_name or "") > 40 or len(tap.contact_phone or "") > 20:
        errors["firm_name"] = errors.get("firm_name") or "填写的内容过长"
    if errors:
        # The message names what was wrong and the allowed range: the console shows it as it is.
        raise AppError("validation_error", "；".join(dict.fromkeys(errors.values())), 422, fields=errors)
    is_intent = tap.kind == TallyKind.UNION_INTENT.value
    return {
        "kind": TallyKind(tap.kind),
        "quantity": 1 if is_intent else tap.quantity,
        "firm_name": firm_name or None,
        "contact_name": (tap.contact_name or "").strip() or None,
        "contact_phone": (tap.contact_phone or "").strip() or None,
    }


def add_ledger_contact(tally: Tally, booth: Booth, user: User) -> ContactRecord:
    """建会意向 also goes into the 企业沟通台账: the firm (found by name within the town) gets a contact."""
    town_org_id = booth.venue.host_org_id
    enterprise = db.session.scalar(
        select(Enterprise).where(Enterprise.name == tally.firm_name, Enterprise.town_org_id == town_org_id)
    )
    if enterprise is None:
        enterprise = Enterprise(name=tally.firm_name, town_org_id=town_org_id)
        db.session.add(enterprise)
    contact = " ".join(filter(None, [tally.contact_name, tally.contact_phone]))
    record = ContactRecord(
        enterprise=enterprise, contacted_on=booth.venue.meeting.held_on, kind="union_intent",
        outcome=UNION_INTENT_OUTCOME, note=f"{booth.venue.place_name}·{booth.name} 登记；联系人：{contact or '未留'}",
        staff_id=user.id, tally_id=tally.id,
    )
    db.session.add(record)
    db.session.flush()
    return record


def booth_for(booth_id: int) -> Booth:
    booth = db.session.get(Booth, booth_id)
    if booth is None:
        raise AppError("booth_not_found", "找不到该岗位", 404)
    return booth
