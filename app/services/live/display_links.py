"""Read-only big-screen links (/display/<token>): issued by staff who may edit the meeting, revocable."""

import secrets

from flask import current_app
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import DisplayLink, Meeting, User, Venue
from app.models.base import utcnow
from app.services import access, audit
from app.services.setup import entry_codes
from qr.render import render_svg
from qr.urls import entry_url

TOKEN_BYTES = 18


def resolve(token: str) -> DisplayLink:
    """The live display link for a token; 404 when unknown or revoked (the screen says so)."""
    link = db.session.scalar(select(DisplayLink).where(DisplayLink.token == token))
    if link is None or link.revoked_at is not None:
        raise AppError("display_link_not_found", "大屏链接无效或已停用", 404)
    return link


def active_links(meeting: Meeting) -> list[DisplayLink]:
    query = select(DisplayLink).where(DisplayLink.meeting_id == meeting.id, DisplayLink.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(DisplayLink.id)))


def issue(user: User, meeting: Meeting, label: str) -> DisplayLink:
    """A new display link for the meeting."""
    access.require(access.can_edit_meeting(user, meeting))
    link = DisplayLink(token=secrets.token_urlsafe(TOKEN_BYTES), meeting=meeting, label=label.strip()[:60] or "大屏")
    db.session.add(link)
    db.session.flush()
    audit.record(user, "display_link_issue", "display_link", link.id, {"meeting_id": meeting.id})
    db.session.commit()
    return link


def revoke(user: User, link: DisplayLink) -> None:
    """Stop a display link: the screen showing it falls silent at its next request."""
    access.require(access.can_edit_meeting(user, link.meeting))
    link.revoked_at = utcnow()
    audit.record(user, "display_link_revoke", "display_link", link.id, {"meeting_id": link.meeting_id})
    db.session.commit()


def entry_qr_svg(link: DisplayLink) -> str | None:
    """The entry QR a screen shows (an SVG): its own venue's code, else the main venue's; None before codes exist."""
    codes = [c for c in entry_codes.active_codes(link.meeting) if c.booth_id is None]
    # Workers scanning a sub-venue's TV join at that sub-venue, and count there.
    codes.sort(key=lambda c: (c.venue_id != link.venue_id, c.venue.role.value != "main", c.venue_id))
    if not codes:
        return None
    return render_svg(entry_url(current_app.config["PUBLIC_BASE_URL"], codes[0].code)).decode()


def venue_links(user: User, meeting: Meeting) -> list[tuple[Venue, DisplayLink | None]]:
    """Every venue the user sets up with its TV's live link (the sheet handed to the venues), in one query."""
    access.require(access.can_edit_meeting(user, meeting) or any(
        access.can_manage_venue(user, venue) for venue in meeting.venues))
    links = {link.venue_id: link for link in active_links(meeting) if link.venue_id}
    return [(venue, links.get(venue.id)) for venue in meeting.venues if access.can_manage_venue(user, venue)]


def issue_venue_links(user: User, meeting: Meeting) -> int:
    """A link for each venue's TV that has no live one yet; returns how many were issued."""
    missing = [venue for venue, link in venue_links(user, meeting) if link is None]
    db.session.add_all([DisplayLink(token=secrets.token_urlsafe(TOKEN_BYTES), meeting=meeting, venue=venue,
                                    label=f"{venue.name}大屏"[:60]) for venue in missing])
    audit.record(user, "display_link_issue", "display_link", None, {"meeting_id": meeting.id, "venues": len(missing)})
    db.session.commit()
    return len(missing)
