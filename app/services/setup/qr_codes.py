"""QR images, posters and the ZIP of a meeting's entry codes; each image rendered once per code and cached.

Each is for staff who may see the code (access.can_see_code, can_see_venue_codes): another town's code is
answered as an unknown one, before anything is rendered or asked of WeChat.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.errors import AppError
from app.extensions import db
from app.models import EntryCode, Meeting, User, Venue, WxaCodeImage
from app.services import access, wechat
from app.services.setup import entry_codes
from qr.cache import ImageCache
from qr.posters import Poster, archive_names, zip_archive
from qr.render import MIMETYPES, image_etag
from qr.urls import entry_url

# One per process: a code's image never changes, so a worker renders each code at most once.
image_cache = ImageCache()


@dataclass
class CodeImage:
    """An image known by its ETag before any rendering, so a 304 costs nothing."""

    etag: str
    mimetype: str
    produce: Callable[[], bytes]


def code_url(entry_code: EntryCode) -> str:
    return entry_url(current_app.config["PUBLIC_BASE_URL"], entry_code.code)


def visible_code(user: User, code: str) -> EntryCode:
    """An active code the user may see; 404 as for an unknown code otherwise."""
    entry_code = entry_codes.find_active(code)
    if not access.can_see_code(user, entry_code):
        raise entry_codes.unknown_code()
    return entry_code


def visible_codes(user: User, meeting: Meeting) -> dict[tuple[int, int | None], EntryCode]:
    """The meeting's active codes the user may see, by (venue id, booth id): the meeting page's."""
    venues = {venue.id: venue for venue in meeting.venues if access.can_see_venue_codes(user, venue)}
    return {(c.venue_id, c.booth_id): c for c in entry_codes.active_codes(meeting) if c.venue_id in venues}


def code_image(user: User, code: str, image_format: str) -> CodeImage:
    """The PNG or SVG QR of an active code."""
    url = code_url(visible_code(user, code))
    return CodeImage(image_etag(url, image_format), MIMETYPES[image_format], lambda: image_cache.get(url, image_format))


def wxa_code_image(user: User, code: str) -> CodeImage:
    """The WeChat mini-program code of an active code, fetched from WeChat once and then kept."""
    entry_code = visible_code(user, code)
    page = current_app.config["WECHAT_ENTRY_PAGE"]
    version = current_app.config["WECHAT_WXACODE_ENV_VERSION"]
    etag = hashlib.sha256(f"wxa|{version}|{page}|{entry_code.code}".encode()).hexdigest()[:32]
    if version != "release":
        # A code for 体验版 or 开发版 testing is not kept: printed after release, it would open the wrong version.
        return CodeImage(etag, "image/png", lambda: wechat.wxa_code_png(scene=entry_code.code, page=page))
    return CodeImage(etag, "image/png", lambda: stored_wxa_code(entry_code, page))


def stored_wxa_code(entry_code: EntryCode, page: str) -> bytes:
    """The released version's code, fetched from WeChat once per entry code and page, then kept."""
    stored = db.session.get(WxaCodeImage, entry_code.id)
    if stored is not None and stored.page == page:
        return stored.png
    png = wechat.wxa_code_png(scene=entry_code.code, page=page)
    if stored is None:
        db.session.add(WxaCodeImage(entry_code_id=entry_code.id, page=page, png=png))
    else:
        stored.page, stored.png = page, png
    try:
        db.session.commit()
    except IntegrityError:
        # Another request stored the same code's image first; theirs is as good as ours.
        db.session.rollback()
    return png


def poster(entry_code: EntryCode) -> Poster:
    venue, booth = entry_code.venue, entry_code.booth
    return Poster(
        code=entry_code.code,
        url=code_url(entry_code),
        meeting_title=entry_code.meeting.title,
        town=venue.host_org.name,
        venue_label=venue.role_label,
        venue_name=venue.place_name,
        booth_label=booth.kind_label if booth else None,
        booth_name=booth.name if booth else None,
        booth_kind=booth.kind.value if booth else None,
    )


def code_poster(user: User, code: str) -> Poster:
    """The poster of one active code (a booth's or a venue's own)."""
    return poster(visible_code(user, code))


def meeting_posters(user: User, meeting: Meeting, venue: Venue | None = None) -> list[Poster]:
    """Posters of the active codes of a meeting's venues (or of one venue) the user may see: venue by venue,
    its own code first. One venue the user may not see is a 404, as an unknown one."""
    if venue is not None and not access.can_see_venue_codes(user, venue):
        raise AppError("venue_not_found", "找不到该会场", 404)
    venues = [venue] if venue is not None else [v for v in meeting.venues if access.can_see_venue_codes(user, v)]
    query = (
        select(EntryCode)
        .where(EntryCode.meeting_id == meeting.id, EntryCode.revoked_at.is_(None),
               EntryCode.venue_id.in_([v.id for v in venues]))
        .options(joinedload(EntryCode.venue).joinedload(Venue.host_org), joinedload(EntryCode.booth))
    )
    venue_order = {v.id: index for index, v in enumerate(meeting.venues)}
    codes = sorted(db.session.scalars(query), key=lambda c: (venue_order[c.venue_id], c.booth_id or 0))
    return [poster(entry_code) for entry_code in codes]


def codes_archive(user: User, meeting: Meeting) -> bytes:
    """A ZIP of the PNG of every active code the user may see, named `<town>-<venue>-<booth>.png` (a venue's own
    `<town>-<venue>.png`)."""
    posters = meeting_posters(user, meeting)
    names = archive_names(posters)
    return zip_archive([(name, image_cache.get(p.url, "png")) for name, p in zip(names, posters, strict=True)])
