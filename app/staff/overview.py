"""The district overview page: meetings by town and kind, joins and new unions by month, KPIs vs targets."""

from flask import render_template, request
from flask_login import current_user, login_required

from app.models.meeting import MEETING_KIND_LABELS
from app.services.afterday import overview
from app.staff import bp


@bp.get("/overview")
@login_required
def district_overview():
    result = overview.district_overview(current_user, request.args.get("year", type=int))
    return render_template("staff/overview.html", overview=result, kind_labels=MEETING_KIND_LABELS)
