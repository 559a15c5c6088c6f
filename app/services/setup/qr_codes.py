"""QR images, posters and the ZIP of a meeting's entry codes; each image rendered once per code and cached."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import EntryCode, Meeting, Venue, WxaCodeImage
from app.services import wechat
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


def code_image(code: str, image_format: str) -> CodeImage:
    """The PNG or SVG QR of an active code."""
    url = code_url(entry_codes.find_active(code))
    return CodeImage(image_etag(url, image_format), MIMETYPES[image_format], lambda: image_cache.get(url, image_format))


def wxa_code_image(code: str) -> CodeImage:
    """The WeChat mini-program code of an active code, fetched from WeChat once and then kept."""
    entry_code = entry_codes.find_active(code)
    page = current_app.config["WECHAT_ENTRY_PAGE"]
    etag = hashlib.sha256(f"wxa|{page}|{entry_code.code}".encode()).hexdigest()[:32]
    return CodeImage(etag, "image/png", lambda: stored_wxa_code(entry_code, page))


def stored_wxa_code(entry_code: EntryCode, page: str) -> bytes:
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


def code_poster(code: str) -> Poster:
    """The poster of one active code (a booth's or a venue's own)."""
    return poster(entry_codes.find_active(code))


def meeting_posters(meeting: Meeting, venue: Venue | None = None) -> list[Poster]:
    """Posters of every active code of a meeting (or of one venue): venue by venue, its own code first."""
    query = (
        select(EntryCode)
        .where(EntryCode.meeting_id == meeting.id, EntryCode.revoked_at.is_(None))
        .options(joinedload(EntryCode.venue).joinedload(Venue.host_org), joinedload(EntryCode.booth))
    )
    if venue is not None:
        query = query.where(EntryCode.venue_id == venue.id)
    venue_order = {v.id: index for index, v in enumerate(meeting.venues)}
    codes = sorted(db.session.scalars(query), key=lambda c: (venue_order[c.venue_id], c.booth_id or 0))
    return [poster(entry_code) for entry_code in codes]


def codes_archive(meeting: Meeting) -> bytes:
    """A ZIP of every active code's PNG, named `<town>-<venue>-<booth>.png` (a venue's own `<town>-<venue>.png`)."""
    posters = meeting_posters(meeting)
    names = archive_names(posters)
    return zip_archive([(name, image_cache.get(p.url, "png")) for name, p in zip(names, posters, strict=True)])
