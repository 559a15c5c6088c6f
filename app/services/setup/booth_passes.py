"""Per-booth links (and their QR): a volunteer without an account counts at one booth while the meeting is open.

Behind each link stands a guest account assigned to that booth alone, so the console, its taps and its 撤销 work
as for any booth staff, every tally is attributed to the link, and access.can_work_at closes it with the
meeting. A guest never signs in with a password, never looks a person up, and never appears among accounts.
"""

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.errors import AppError
from app.extensions import db
from app.models import Booth, BoothPass, Meeting, MeetingStatus, Role, User, Venue
from app.models.base import utcnow
from app.services import access, audit
from app.services.setup import entry_codes, passwords
from qr.render import render_svg

TOKEN_BYTES = 18
LABEL_LENGTH = 40


def issue(user: User, booth: Booth, label: str = "") -> BoothPass:
    """A new link into this booth's console, for those who set the booth up; audited."""
    [booth_pass] = new_passes(user, [booth], label)
    db.session.commit()
    return booth_pass


def issue_missing(user: User, meeting: Meeting) -> int:
    """A link for every booth of the meeting the user sets up that has no live one yet (the printable sheet)."""
    covered = set(db.session.scalars(select(BoothPass.booth_id).join(Booth).join(Venue).where(
        Venue.meeting_id == meeting.id, BoothPass.revoked_at.is_(None))))
    booths = [booth for venue in meeting.venues if access.can_manage_venue(user, venue)
              for booth in venue.booths if booth.id not in covered]
    new_passes(user, booths, "")
    db.session.commit()
    return len(booths)


def new_passes(user: User, booths: list[Booth], label: str) -> list[BoothPass]:
    """A link and its guest account for each booth (no commit), written in one flush; each audited."""
    passes = []
    for booth in booths:
        access.require(access.can_assign_at(user, booth))
        entry_codes.ensure_codes_allowed(booth.venue.meeting)  # a closed meeting's booths take no one new
        name = label.strip()[:LABEL_LENGTH] or f"{booth.name}志愿者"
        guest = User(username=f"pass-{secrets.token_hex(8)}", display_name=name, role=Role.BOOTH_STAFF,
                     org_id=booth.venue.host_org_id, guest=True, booths=[booth])
        passwords.lock_password(guest)  # the link is the only way in
        passes.append(BoothPass(token=secrets.token_urlsafe(TOKEN_BYTES), booth=booth, label=name, guest=guest,
                                issued_by_id=user.id))
    db.session.add_all(passes)
    db.session.flush()
    for booth_pass in passes:
        audit.record(user, "booth_pass.issue", "booth_pass", booth_pass.id,
                     {"booth_id": booth_pass.booth_id, "label": booth_pass.label})
    return passes


def revoke(user: User, booth_pass: BoothPass) -> None:
    """Stop a link: the phones that entered through it are signed out at their next request."""
    access.require(access.can_assign_at(user, booth_pass.booth))
    booth_pass.revoked_at = utcnow()
    booth_pass.guest.active = False
    booth_pass.guest.end_sessions()
    audit.record(user, "booth_pass.revoke", "booth_pass", booth_pass.id, {"booth_id": booth_pass.booth_id})
    db.session.commit()


def resolve(token: str) -> BoothPass:
    """The live link for a token: 404 when unknown or revoked, 410 when its meeting is not open."""
    booth_pass = db.session.scalar(select(BoothPass).where(BoothPass.token == token).options(
        joinedload(BoothPass.booth).joinedload(Booth.venue).joinedload(Venue.meeting)))
    if booth_pass is None or not booth_pass.is_active:
        raise AppError("booth_pass_not_found", "岗位链接无效或已停用，请向组织者索取新的链接", 404)
    meeting = booth_pass.booth.venue.meeting
    if meeting.status is not MeetingStatus.OPEN:
        message = "本场沟通会已结束，岗位链接已失效" if meeting.closed_at else "本场沟通会尚未开始，开始后再打开此链接"
        raise AppError("meeting_closed", message, 410)
    return booth_pass


def enter(token: str, ip: str | None) -> User:
    """The guest account a volunteer's phone signs in as through the link (audited, with the phone's address)."""
    booth_pass = resolve(token)
    guest = booth_pass.guest
    audit.record(guest, "booth_pass.enter", "booth_pass", booth_pass.id, {"booth_id": booth_pass.booth_id}, ip)
    db.session.commit()
    return guest


@dataclass
class PassSlip:
    booth: Booth
    booth_pass: BoothPass
    url: str
    qr_svg: str


def active_passes(meeting: Meeting) -> dict[int, list[BoothPass]]:
    """The meeting's live links by booth, in one query (the meeting page shows them on every booth)."""
    query = select(BoothPass).join(Booth).join(Venue).where(
        Venue.meeting_id == meeting.id, BoothPass.revoked_at.is_(None)).order_by(BoothPass.id)
    by_booth: dict[int, list[BoothPass]] = {}
    for booth_pass in db.session.scalars(query):
        by_booth.setdefault(booth_pass.booth_id, []).append(booth_pass)
    return by_booth


def slips(user: User, meeting: Meeting) -> list[PassSlip]:
    """The printable sheet: every live link of the booths the user sets up, with its QR."""
    passes = active_passes(meeting)
    return [slip_of(booth, booth_pass) for venue in meeting.venues if access.can_manage_venue(user, venue)
            for booth in venue.booths for booth_pass in passes.get(booth.id, [])]


def slip_of(booth: Booth, booth_pass: BoothPass) -> PassSlip:
    url = f"{current_app.config['PUBLIC_BASE_URL']}/b/{booth_pass.token}"
    return PassSlip(booth, booth_pass, url, render_svg(url).decode())
