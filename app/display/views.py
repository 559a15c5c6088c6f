"""Totals (`/api/meetings/<id>/totals`), the stream (`/live/meetings/<id>/stream`), and `/display/<token>`.

Both feeds accept a signed-in staff member or a display token (`?display=`), since EventSource cannot
send headers.
"""

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.display import bp
from app.errors import AppError
from app.extensions import db, limiter, redis_handle, security_headers
from app.models import DisplayLink, Meeting
from app.services.live import display_links, intake_counters, intake_totals, live
from app.services.setup import meetings


def meeting_for_viewer(meeting_id: int) -> Meeting:
    """The meeting, if the caller holds a live display link to it or is signed-in staff who may see it."""
    token = request.args.get("display")
    if token:
        link = display_links.resolve(token)
        if link.meeting_id != meeting_id:
            raise AppError("forbidden", "没有权限查看该沟通会", 403)
        return link.meeting
    if not current_user.is_authenticated:
        raise AppError("unauthorized", "请先登录或使用大屏链接", 401)
    return meetings.meeting_seen_by(current_user, meeting_id)


@bp.get("/api/meetings/<int:meeting_id>/totals")
def totals(meeting_id: int):
    totals = intake_totals.meeting_totals(meeting_for_viewer(meeting_id))
    etag = intake_totals.etag_of(totals)
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": "no-cache"})
    response = jsonify(totals)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/live/meetings/<int:meeting_id>/stream")
def stream(meeting_id: int):
    meeting_for_viewer(meeting_id)
    token = request.args.get("display")
    live.ensure_listener(redis_handle.client)
    app = current_app._get_current_object()
    intake_counters.start_repair_loop(app)  # gunicorn starts it at boot; this covers other servers
    db.session.remove()  # a stream lives for hours; it must not hold a pooled connection meanwhile

    # No stream_with_context: keeping each stream's request context alive costs memory per client. Each
    # call gets a short app context instead, whose teardown returns the database connection.
    def snapshot() -> dict:
        with app.app_context():
            return intake_totals.meeting_totals(db.session.get(Meeting, meeting_id))

    def still_allowed() -> bool:
        with app.app_context():
            try:
                return token is None or display_links.resolve(token).meeting_id == meeting_id
            except AppError:
                return False

    body = live.stream(meeting_id, snapshot, still_allowed)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(body, mimetype="text/event-stream", headers=headers)


@bp.get("/display/<token>")
@limiter.limit(lambda: current_app.config["RATELIMIT_DISPLAY_PER_IP"])
@security_headers.no_referrer
def display(token: str):
    link = display_links.resolve(token)
    qr_svg = display_links.entry_qr_svg(link)
    return render_template("display/display.html", link=link, meeting=link.meeting, qr_svg=qr_svg)


@bp.post("/meetings/<int:meeting_id>/display-links")
@login_required
def display_link_issue(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    link = display_links.issue(current_user, meeting, request.form.get("label", ""))
    flash(f"已生成大屏链接：{url_for('display.display', token=link.token, _external=True)}")
    return redirect(url_for("staff.meeting_detail", meeting_id=meeting_id, _anchor="display-links"))


@bp.post("/display-links/<int:link_id>/revoke")
@login_required
def display_link_revoke(link_id: int):
    link = db.get_or_404(DisplayLink, link_id)
    display_links.revoke(current_user, link)
    flash("大屏链接已停用")
    return redirect(url_for("staff.meeting_detail", meeting_id=link.meeting_id, _anchor="display-links"))

