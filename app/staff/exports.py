"""Export pages: applications (masked, or in full for the district) and the 会员登记表 import file."""

from flask import render_template, request
from flask_login import current_user, login_required

from app.downloads import streamed_download
from app.extensions import db
from app.models import Org
from app.services import access
from app.services.afterday import exports
from app.services.afterday.exports import ExportScope
from app.services.setup import meeting_picker
from app.staff import bp


@bp.get("/exports")
@login_required
def export_page():
    access.require(access.can_review(current_user))
    org_query = db.select(Org).where(Org.parent_id.is_not(None)).order_by(Org.sort_order)
    return render_template(
        "staff/exports.html",
        meeting_field=meeting_picker.meeting_field(current_user, request.args.get("meeting")),
        orgs=db.session.scalars(org_query).all() if access.is_district_admin(current_user) else [],
        is_district=access.is_district_admin(current_user),
    )


@bp.post("/exports/applications")
@login_required
def export_applications():
    unmasked = request.form.get("unmasked") == "1"
    return streamed_download(exports.applications_export(current_user, export_scope(), unmasked, request.remote_addr))


@bp.post("/exports/member-register")
@login_required
def export_member_register():
    return streamed_download(exports.member_register_export(current_user, export_scope(), request.remote_addr))


def export_scope() -> ExportScope:
    meeting = meeting_picker.pick_meeting(current_user, request.form.get("meeting"))
    return ExportScope(meeting_id=meeting.id if meeting else None, org_id=request.form.get("org_id", type=int))

