"""Entry codes in the staff web: QR images, posters, the ZIP, and revoking or regenerating a code."""

import io

from flask import flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.models import Meeting, Venue
from app.services.setup import entry_codes, meetings, qr_codes
from app.services.setup.qr_codes import CodeImage
from app.staff import bp
from app.staff.meetings import get_or_404
from qr.posters import paginate

# A code's image never changes (a new code gets a new URL), so browsers may keep it for good.
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/codes/<code>.<any(png, svg):image_format>")
@login_required
def code_image(code: str, image_format: str):
    return send_image(qr_codes.code_image(current_user, code, image_format))


@bp.get("/codes/<code>/wxacode.png")
@login_required
def wxa_code(code: str):
    return send_image(qr_codes.wxa_code_image(current_user, code))


def send_image(image: CodeImage):
    if request.if_none_match.contains_weak(image.etag):
        response = make_response("", 304)
    else:
        response = make_response(image.produce())
        response.mimetype = image.mimetype
    response.set_etag(image.etag)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.get("/codes/<code>/poster")
@login_required
def code_poster(code: str):
    poster = qr_codes.code_poster(current_user, code)
    return render_sheet(f"{poster.venue_name} · {poster.booth_name or '会场总码'}", [poster], back=None)


@bp.get("/venues/<int:venue_id>/posters")
@login_required
def venue_posters(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    posters = qr_codes.meeting_posters(current_user, venue.meeting, venue)
    return render_sheet(venue.place_name, posters, back=venue.meeting)


@bp.get("/meetings/<int:meeting_id>/posters")
@login_required
def meeting_posters(meeting_id: int):
    meeting = meetings.meeting_seen_by(current_user, meeting_id)
    return render_sheet(meeting.title, qr_codes.meeting_posters(current_user, meeting), back=meeting)


def render_sheet(title: str, posters: list, back: Meeting | None):
    # 1 = one A4 poster per code to hang at the booth; 4 = table cards, four to a page.
    per_page = 4 if request.args.get("layout") == "cards" else 1
    return render_template(
        "staff/poster_sheet.html",
        title=title,
        pages=paginate(posters, per_page),
        per_page=per_page,
        back=back,
    )


@bp.get("/meetings/<int:meeting_id>/codes.zip")
@login_required
def codes_zip(meeting_id: int):
    meeting = meetings.meeting_seen_by(current_user, meeting_id)
    archive = io.BytesIO(qr_codes.codes_archive(current_user, meeting))
    return send_file(archive, "application/zip", as_attachment=True, download_name=f"{meeting.title}-二维码.zip")


@bp.post("/codes/<code>/revoke")
@login_required
def code_revoke(code: str):
    entry_code = entry_codes.revoke(current_user, code, request.remote_addr)
    flash(f"二维码 {entry_code.code} 已停用，扫码将提示无效")
    return redirect(url_for("staff.meeting_detail", meeting_id=entry_code.meeting_id))


@bp.post("/codes/<code>/regenerate")
@login_required
def code_regenerate(code: str):
    entry_code = entry_codes.regenerate(current_user, code, request.remote_addr)
    flash(f"已换新二维码 {entry_code.code}，请重新打印海报")
    return redirect(url_for("staff.meeting_detail", meeting_id=entry_code.meeting_id))


@bp.post("/venues/<int:venue_id>/codes")
@login_required
def venue_codes_issue(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    created = entry_codes.issue_missing(current_user, venue)
    flash(f"已生成 {len(created)} 个二维码")
    return redirect(url_for("staff.meeting_detail", meeting_id=venue.meeting_id))
