"""Entry codes: opaque, random, revocable codes behind every booth's and venue's QR."""

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.errors import AppError
from app.extensions import db
from app.models import Booth, EntryCode, Meeting, MeetingStatus, User, Venue
from app.models.base import utcnow

# 9 random bytes = 72 bits, 12 URL-safe characters: unguessable and still short in a QR.
from app.services import access, audit, process_cache

CODE_BYTES = 9
SLOT_CACHE = "entry_slots"
# What token_urlsafe can produce; anything else (a NUL byte, say) is unknown without asking the database.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def active_codes(meeting: Meeting) -> list[EntryCode]:
    query = select(EntryCode).where(EntryCode.meeting_id == meeting.id, EntryCode.revoked_at.is_(None))
    return list(db.session.scalars(query))


def ensure_codes(meeting: Meeting, venues: list[Venue] | None = None) -> list[EntryCode]:
    """Give every venue (or only `venues`) and its booths an active code (no commit); returns the new ones."""
    covered = {(code.venue_id, code.booth_id) for code in active_codes(meeting)}
    created = []
    for venue in meeting.venues if venues is None else venues:
        for booth in [None, *venue.booths]:
            if (venue.id, booth.id if booth else None) not in covered:
                created.append(issue_code(meeting, venue, booth))
    db.session.flush()  # once for them all: a 270-venue day opens with some 1,300 new codes
    return created


def issue_code(meeting: Meeting, venue: Venue, booth: Booth | None) -> EntryCode:
    entry_code = EntryCode(code=new_code(), meeting=meeting, venue=venue, booth=booth)
    db.session.add(entry_code)
    return entry_code


def revoke_code(entry_code: EntryCode) -> None:
    entry_code.revoked_at = utcnow()


def find_active(code: str) -> EntryCode:
    """An unrevoked code by its text, with its meeting, venue (and host org) and booth: 404 when unknown or revoked."""
    entry_code = None
    if CODE_PATTERN.match(code):
        # One query for what every caller reads next (the meeting's status, the venue's host org, the booth).
        query = select(EntryCode).where(EntryCode.code == code).options(
            joinedload(EntryCode.meeting), joinedload(EntryCode.venue).joinedload(Venue.host_org),
            joinedload(EntryCode.booth),
        )
        entry_code = db.session.scalar(query)
    if entry_code is None or not entry_code.is_active:
        raise unknown_code()
    return entry_code


def unknown_code() -> AppError:
    """The answer for a code that is unknown, revoked, or not the asker's to see: the same for each."""
    return AppError("entry_code_not_found", "二维码无效或已停用，请扫描现场最新的二维码", 404)


def revoke(user: User, code: str, ip: str | None = None) -> EntryCode:
    """Stop a code at once (say, a poster photographed and posted online); audited."""
    entry_code = find_active(code)
    access.require(access.can_manage_venue(user, entry_code.venue))
    revoke_code(entry_code)
    audit.record(user, "entry_code.revoke", "entry_code", entry_code.id, slot_detail(entry_code), ip)
    db.session.commit()
    forget_slots(code)
    return entry_code


def regenerate(user: User, code: str, ip: str | None = None) -> EntryCode:
    """Replace a code with a fresh one for the same booth or venue; the old one answers 404 from now on."""
    old = find_active(code)
    access.require(access.can_manage_venue(user, old.venue))
    ensure_codes_allowed(old.meeting)
    revoke_code(old)
    new = issue_code(old.meeting, old.venue, old.booth)
    audit.record(user, "entry_code.revoke", "entry_code", old.id, {**slot_detail(old), "replaced_by": new.code}, ip)
    db.session.commit()
    forget_slots(code)
    return new


def issue_missing(user: User, venue: Venue) -> list[EntryCode]:
    """Codes on demand for a venue and its booths that have none (before opening, or after a revoke)."""
    access.require(access.can_manage_venue(user, venue))
    ensure_codes_allowed(venue.meeting)
    created = ensure_codes(venue.meeting, [venue])
    db.session.commit()
    return created


def ensure_codes_allowed(meeting: Meeting) -> None:
    # Codes die with their meeting: a closed meeting never gets a working code again.
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.ARCHIVED):
        raise AppError("meeting_closed", "沟通会已结束，不能再生成二维码", 409)


def slot_detail(entry_code: EntryCode) -> dict:
    return {"code": entry_code.code, "venue_id": entry_code.venue_id, "booth_id": entry_code.booth_id}


@dataclass(frozen=True)
class EntrySlot:
    """What a join needs of its entry code, as plain values: where it counts and the names of its answer."""

    entry_code_id: int
    meeting_id: int
    venue_id: int
    booth_id: int | None
    host_org_id: int
    meeting_title: str
    venue_name: str
    host_org_name: str
    host_org_union_name: str


def resolve(code: str) -> EntryCode:
    """The active entry code for a scan: 404 when unknown or revoked, 410 when its meeting is not open."""
    entry_code = find_active(code)
    if not entry_code.meeting.accepts_intake:
        message = "本场沟通会已结束" if entry_code.meeting.closed_at else "本场沟通会尚未开始"
        raise AppError("meeting_closed", message, 410)
    return entry_code


def resolve_slot(code: str) -> EntrySlot:
    """resolve() as the plain values a join needs, cached per process (app/services/process_cache.py).

    Every change forgets the cached slots everywhere after its commit; a join that still meets a stale one
    is refused by its own INSERT, which checks the code and the meeting (enrolment.insert_at_open_code).
    """
    return process_cache.caches().named(SLOT_CACHE).get(code, lambda: slot_of(resolve(code)))


def forget_slots(code: str | None = None) -> None:
    """After a commit that revoked `code` (or changed any meeting, venue or booth): forget its slot everywhere."""
    process_cache.caches().forget_everywhere(SLOT_CACHE, code)


def slot_of(entry_code: EntryCode) -> EntrySlot:
    venue = entry_code.venue
    return EntrySlot(
        entry_code.id, entry_code.meeting_id, venue.id, entry_code.booth_id, venue.host_org_id,
        entry_code.meeting.title, venue.place_name, venue.host_org.name, venue.host_org.union_name,
    )
