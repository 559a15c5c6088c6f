"""Entry codes: opaque, random, revocable codes behind every booth's and venue's QR."""

import secrets

from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Booth, EntryCode, Meeting, Venue
from app.models.base import utcnow

# 9 random bytes = 72 bits, 12 URL-safe characters: unguessable and still short in a QR.
CODE_BYTES = 9


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def active_codes(meeting: Meeting) -> list[EntryCode]:
    query = select(EntryCode).where(EntryCode.meeting_id == meeting.id, EntryCode.revoked_at.is_(None))
    return list(db.session.scalars(query))


def ensure_codes(meeting: Meeting) -> list[EntryCode]:
    """Give every venue and booth of the meeting an active code (no commit); returns the new ones."""
    covered = {(code.venue_id, code.booth_id) for code in active_codes(meeting)}
    created = []
    for venue in meeting.venues:
        for booth in [None, *venue.booths]:
            if (venue.id, booth.id if booth else None) not in covered:
                created.append(issue_code(meeting, venue, booth))
    return created


def issue_code(meeting: Meeting, venue: Venue, booth: Booth | None) -> EntryCode:
    entry_code = EntryCode(code=new_code(), meeting=meeting, venue=venue, booth=booth)
    db.session.add(entry_code)
    db.session.flush()
    return entry_code


def revoke_code(entry_code: EntryCode) -> None:
    entry_code.revoked_at = utcnow()


def resolve(code: str) -> EntryCode:
    """The active entry code for a scan: 404 when unknown or revoked, 410 when its meeting is not open."""
    entry_code = db.session.scalar(select(EntryCode).where(EntryCode.code == code))
    if entry_code is None or not entry_code.is_active:
        raise AppError("entry_code_not_found", "二维码无效或已停用，请扫描现场最新的二维码", 404)
    if not entry_code.meeting.accepts_intake:
        message = "本场沟通会已结束" if entry_code.meeting.closed_at else "本场沟通会尚未开始"
        raise AppError("meeting_closed", message, 410)
    return entry_code
