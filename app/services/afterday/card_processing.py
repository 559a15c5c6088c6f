"""互助服务卡 processing after the day: pending → sent_to_bank (an Excel file for 北京银行) → issued | rejected."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import contains_eager, joinedload

from app.errors import AppError
from app.extensions import db
from app.models import ApplicationStatus, CardStatus, MutualAidCardApplication, Org, User, Venue
from app.models.base import utcnow
from app.services import access, audit, paging, privacy, xlsx
from app.services.afterday import person_search
from app.services.afterday.exports import stamp
from app.services.afterday.member_register import iso
from app.services.afterday.person_search import PersonSearch
from app.services.intake.form_options import CARD_DELIVERIES
from app.services.local_time import in_shanghai
from app.services.paging import Order, Page, PageRequest
from app.services.xlsx import ExportFile, Sheet

BANK_COLUMNS = [
    "序号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号码", "工作单位", "领卡方式", "领卡网点",
    "所属工会", "会员编号", "申请日期",
]
BANK_SHEET = Sheet("京卡申请", BANK_COLUMNS)
NEXT_STATUSES = {
    CardStatus.PENDING: {CardStatus.SENT_TO_BANK, CardStatus.REJECTED},
    CardStatus.SENT_TO_BANK: {CardStatus.ISSUED, CardStatus.REJECTED},
    CardStatus.ISSUED: set(),
    CardStatus.REJECTED: set(),
}


@dataclass
class CardFilters:
    meeting_id: int | None = None
    venue_id: int | None = None
    status: CardStatus | None = CardStatus.PENDING
    search: PersonSearch | None = None
    oldest_first: bool = False  # the desk reads what came in last; the backlog's start is one click away


@dataclass
class CardTally:
    """One row of the desk's summary: a venue of the chosen meeting, or a union when no meeting is chosen."""

    place: str
    union: str
    venue_id: int | None
    by_status: Counter

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


CARD_ORDER = (MutualAidCardApplication.id,)  # ids are handed out as cards are applied for


def card_scope(user: User, meeting_id: int | None = None) -> list:
    """Conditions for the card applications in the user's scope (all for the district, its own for a town)."""
    access.require(access.can_review(user))
    card = MutualAidCardApplication
    conditions = [] if access.is_district_admin(user) else [card.host_org_id == user.org_id]
    return conditions + ([card.meeting_id == meeting_id] if meeting_id is not None else [])


def card_page(user: User, filters: CardFilters, wanted: PageRequest, ip: str | None = None) -> Page:
    """One page of the desk's list with its total; each card comes with its application, venue and union."""
    card = MutualAidCardApplication
    # An outer join to a required key: the same rows, and PostgreSQL drops it from the COUNT when nothing searches it.
    query = select(card).outerjoin(card.membership_application).where(*card_scope(user, filters.meeting_id))
    if filters.venue_id is not None:
        query = query.where(card.venue_id == filters.venue_id)
    if filters.status is not None:
        query = query.where(card.status == filters.status)
    if filters.search is not None:
        person_search.note_lookup(user, "cards", filters.search, ip)
        query = query.where(person_search.matching(filters.search))
    load = (contains_eager(card.membership_application), joinedload(card.venue), joinedload(card.host_org))
    return paging.page_of(query, Order(CARD_ORDER, descending=not filters.oldest_first), lambda c: (c.id,),
                          wanted, load=load)


def card_tallies(user: User, meeting_id: int | None) -> list[CardTally]:
    """How many cards are in each status per venue of the meeting (and its union), or per reviewing union
    without one — one statement, so the table is as long as a meeting's venues or the district's unions."""
    card = MutualAidCardApplication
    key = card.host_org_id if meeting_id is None else card.venue_id
    # Counted on the cards alone, then named: joined before the GROUP BY, every card would be joined to its union.
    counts = (select(key.label("key"), card.status, func.count().label("cards")).where(*card_scope(user, meeting_id))
              .group_by(key, card.status).subquery())
    if meeting_id is None:
        query = (select(Org.name, Org.name, literal(None), counts.c.status, counts.c.cards)
                 .join(counts, Org.id == counts.c.key).order_by(Org.sort_order, Org.id))
    else:
        query = (select(Venue.place_name, Org.name, Venue.id, counts.c.status, counts.c.cards)
                 .join(counts, Venue.id == counts.c.key).join(Org, Venue.host_org).order_by(Venue.role, Venue.id))
    table: dict[tuple, CardTally] = {}
    for *where, status, count in db.session.execute(query):
        table.setdefault(tuple(where), CardTally(*where, Counter())).by_status[status.value] = count
    return list(table.values())


def send_to_bank(user: User, card_ids: list[int], ip: str | None = None) -> ExportFile:
    """Mark pending cards of approved members as sent and return the bank's key-in workbook (full PII)."""
    access.require(access.is_district_admin(user))
    cards = [c for c in lock(card_ids) if c.membership_application.status is ApplicationStatus.APPROVED]
    cards = [c for c in cards if c.status is CardStatus.PENDING]
    if not cards:
        raise AppError("nothing_to_send", "所选申请中没有待报送且会员已审核通过的互助服务卡", 409)
    for card in cards:
        card.status = CardStatus.SENT_TO_BANK
        card.sent_to_bank_at = utcnow()
    sent_ids = [c.id for c in cards]
    audit.record(user, "cards.send_to_bank", "mutual_aid_card_application", None,
                 {"card_ids": sent_ids, "rows": len(sent_ids)}, ip)
    db.session.commit()
    return bank_file(select(MutualAidCardApplication).where(MutualAidCardApplication.id.in_(sent_ids)), len(sent_ids))


def resend_file(user: User, meeting_id: int | None, ip: str | None = None) -> ExportFile:
    """The bank file again for cards already sent and not yet answered (audited like the first time)."""
    access.require(access.is_district_admin(user))
    card = MutualAidCardApplication
    cards = select(card).where(*card_scope(user, meeting_id), card.status == CardStatus.SENT_TO_BANK)
    rows = xlsx.count(cards)
    audit.record(user, "cards.bank_file", "mutual_aid_card_application", None,
                 {"meeting_id": meeting_id, "rows": rows}, ip)
    db.session.commit()
    return bank_file(cards, rows)


def record_bank_answer(user: User, card_ids: list[int], status: CardStatus, reason: str = "", ip=None) -> int:
    """The bank issued (or refused) cards that were sent; returns how many changed."""
    access.require(access.is_district_admin(user))
    if status not in (CardStatus.ISSUED, CardStatus.REJECTED):
        raise AppError("invalid_status", "只能标记为已发卡或未通过", 422)
    if status is CardStatus.REJECTED and not reason.strip():
        raise AppError("reason_required", "请填写未通过原因", 422, {"reason": "请填写未通过原因"})
    cards = lock(card_ids)
    for card in cards:
        if status not in NEXT_STATUSES[card.status]:
            db.session.rollback()
            raise AppError("invalid_transition", f"第 {card.id} 号申请当前为「{card.status_label}」，不能这样处理", 409)
        card.status, card.decided_at = status, utcnow()
        card.decision_reason = reason.strip() or None
    audit.record(user, f"cards.{status.value}", "mutual_aid_card_application", None,
                 {"card_ids": [c.id for c in cards], "reason": reason.strip()}, ip)
    db.session.commit()
    return len(cards)


def lock(card_ids: list[int]) -> list[MutualAidCardApplication]:
    ids = sorted(set(card_ids))
    if not ids:
        raise AppError("nothing_selected", "请先选择互助服务卡申请", 422)
    query = (
        select(MutualAidCardApplication).where(MutualAidCardApplication.id.in_(ids))
        .order_by(MutualAidCardApplication.id).with_for_update().execution_options(populate_existing=True)
    )
    cards = list(db.session.scalars(query))
    if len(cards) != len(ids):
        db.session.rollback()
        raise AppError("card_not_found", "找不到所选的互助服务卡申请", 404)
    return cards


def bank_file(cards: Select, rows: int) -> ExportFile:
    """The bank's key-in workbook of these cards, written as it is sent; each card read with its member and union."""
    card = MutualAidCardApplication
    query = cards.order_by(card.id).options(
        joinedload(card.membership_application, innerjoin=True), joinedload(card.host_org, innerjoin=True),
    )
    lines = (bank_row(n, sent) for n, sent in enumerate(xlsx.streamed(query), start=1))
    return ExportFile(f"互助服务卡报送-{stamp()}.xlsx", xlsx.stream(BANK_SHEET, lines, rows), rows)


def bank_row(number: int, card: MutualAidCardApplication) -> list:
    membership = card.membership_application
    person = privacy.identity_of(membership, full=True)
    return [
        number, person.name, "居民身份证", person.id_number, membership.gender or "", iso(membership.birth_date),
        person.mobile, membership.employer or "", CARD_DELIVERIES[card.delivery.value], card.branch or "",
        card.host_org.name, membership.member_no or "", in_shanghai(card.created_at).strftime("%Y-%m-%d"),
    ]
