"""Setting up a day at district scale: copy a meeting, import venues and booths, staff at booths, per-booth links
and every venue's screen link."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.errors import AppError
from app.models import Booth, BoothPass, Meeting, MeetingKind, User
from app.services.live import display_links
from app.services.setup import booth_passes, booth_staff, meetings, venue_sheet
from app.services.setup.meetings import MeetingFields
from app.services.sheets import carried
from app.staff import bp
from app.staff.forms import MeetingForm, render_form, with_org_choices
from app.staff.meetings import get_or_404
from app.staff.uploads import accepts_sheet, confirmed, uploaded_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/meetings/<int:meeting_id>/copy", methods=["GET", "POST"])
@login_required
def meeting_copy(meeting_id: int):
    source = meetings.meeting_seen_by(current_user, meeting_id)
    form = MeetingForm(data={"title": f"{source.title}（复制）"[:120], "kind": source.kind.value,
                             "organiser_org_id": source.organiser_org_id})
    with_org_choices(form, "organiser_org_id", meetings.org_choices(current_user))
    if form.validate_on_submit():
        fields = MeetingFields(form.title.data.strip(), form.held_on.data, MeetingKind(form.kind.data),
                               form.organiser_org_id.data)
        copy = meetings.copy_meeting(current_user, source, fields)
        flash("已复制为新的沟通会（筹备中）：会场、岗位和岗位人员已带过来，二维码在开放入会时生成")
        if copy.skipped_venues:
            flash(f"未复制的会场（承办工会已撤销或不由您管理）：{'、'.join(copy.skipped_venues)}")
        return redirect(url_for("staff.meeting_detail", meeting_id=copy.meeting.id))
    return render_form("staff/meeting_copy.html", form, source=source)


@bp.route("/meetings/<int:meeting_id>/venues/import", methods=["GET", "POST"])
@accepts_sheet
@login_required
def venues_import(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    if request.method == "GET":
        return render_template("staff/venues_import.html", meeting=meeting, sheet=None)
    content = uploaded_sheet()
    if confirmed():
        sheet = venue_sheet.import_sheet(current_user, meeting, content, request.remote_addr)
    else:
        sheet = venue_sheet.preview(current_user, meeting, content)
    # A preview, or a confirmation refused because the meeting changed since its preview.
    if not confirmed() or sheet.errors:
        page = render_template("staff/venues_import.html", meeting=meeting, sheet=sheet, carried=carried(content))
        return page, 422 if sheet.errors else 200
    counts = sheet.counts
    flash(f"已导入 {counts['venues']} 个会场（新增 {counts['new_venues']}）、{counts['booths']} 个岗位"
          f"（新增 {counts['new_booths']}），安排岗位人员 {counts['assignments']} 人次")
    return redirect(url_for("staff.meeting_detail", meeting_id=meeting.id))


@bp.get("/venues/template.xlsx")
@login_required
def venues_template():
    return send_file(io.BytesIO(venue_sheet.template_bytes()), mimetype=XLSX, as_attachment=True,
                     download_name="会场和岗位模板.xlsx")


@bp.post("/booths/<int:booth_id>/staff")
@login_required
def booth_assign(booth_id: int):
    booth = get_or_404(Booth, booth_id)
    staff = db_user(request.form.get("staff_id", type=int))
    booth_staff.assign(current_user, booth, staff)
    flash(f"已安排「{staff.display_name}」到{booth.name}")
    return back_to_booth(booth)


@bp.post("/booths/<int:booth_id>/staff/<int:user_id>/remove")
@login_required
def booth_unassign(booth_id: int, user_id: int):
    booth = get_or_404(Booth, booth_id)
    staff = db_user(user_id)
    booth_staff.unassign(current_user, booth, staff)
    flash(f"已取消「{staff.display_name}」在{booth.name}的安排")
    return back_to_booth(booth)


def db_user(user_id: int | None) -> User:
    if user_id is None:
        raise AppError("staff_required", "请选择岗位工作人员", 422, {"staff": "请选择岗位工作人员"})
    return get_or_404(User, user_id)


def back_to_booth(booth: Booth):
    meeting_id = booth.venue.meeting_id
    return redirect(url_for("staff.meeting_detail", meeting_id=meeting_id, _anchor=f"booth-{booth.id}"))


@bp.post("/booths/<int:booth_id>/passes")
@login_required
def booth_pass_issue(booth_id: int):
    booth = get_or_404(Booth, booth_id)
    booth_pass = booth_passes.issue(current_user, booth, request.form.get("label", ""))
    flash(f"已生成岗位链接「{booth_pass.label}」，可在“打印岗位链接”中打印二维码")
    return back_to_booth(booth)


@bp.post("/booth-passes/<int:pass_id>/revoke")
@login_required
def booth_pass_revoke(pass_id: int):
    booth_pass = get_or_404(BoothPass, pass_id)
    booth_passes.revoke(current_user, booth_pass)
    flash(f"岗位链接「{booth_pass.label}」已停用，用它进入的手机已退出")
    return back_to_booth(booth_pass.booth)


@bp.route("/meetings/<int:meeting_id>/booth-passes", methods=["GET", "POST"])
@login_required
def booth_passes_sheet(meeting_id: int):
    def sheet(meeting):
        return render_template("staff/booth_passes.html", meeting=meeting,
                               slips=booth_passes.slips(current_user, meeting))

    return links_sheet(meeting_id, booth_passes.issue_missing, "已为 {} 个岗位生成链接", sheet)


@bp.route("/meetings/<int:meeting_id>/display-links/venues", methods=["GET", "POST"])
@login_required
def venue_display_links(meeting_id: int):
    def sheet(meeting):
        return render_template("staff/venue_display_links.html", meeting=meeting,
                               venue_links=display_links.venue_links(current_user, meeting))

    return links_sheet(meeting_id, display_links.issue_venue_links, "已为 {} 个会场生成大屏链接", sheet)


def links_sheet(meeting_id: int, issue_missing, issued: str, sheet):
    """A printable sheet of links: shown on GET; a POST issues those still missing, then shows it again."""
    meeting = meetings.meeting_seen_by(current_user, meeting_id)
    if request.method == "POST":
        flash(issued.format(issue_missing(current_user, meeting)))
        return redirect(request.path)
    return sheet(meeting)
