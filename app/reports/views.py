"""`/meetings/<id>/summary` and `/meetings/<id>/summary.xlsx`."""

from flask import render_template, request
from flask_login import current_user, login_required

from app.downloads import streamed_download
from app.reports import bp
from app.services import access
from app.services.live import reports
from app.services.setup import meetings


@bp.get("/meetings/<int:meeting_id>/summary")
@login_required
def summary(meeting_id: int):
    access.require(access.can_view_summary(current_user))
    meeting = meetings.meeting_seen_by(current_user, meeting_id)
    return render_template(
        "reports/summary.html",
        meeting=meeting,
        summary=reports.day_summary(meeting),
        columns=reports.COLUMNS,
    )


@bp.get("/meetings/<int:meeting_id>/summary.xlsx")
@login_required
def summary_xlsx(meeting_id: int):
    meeting = meetings.meeting_seen_by(current_user, meeting_id)
    return streamed_download(reports.summary_workbook(current_user, meeting, request.remote_addr))
