"""The audit log viewer (district admins): who revealed, exported or decided what, and when."""

from datetime import date

from flask import render_template, request
from flask_login import current_user, login_required

from app.services import audit
from app.services.local_time import in_shanghai
from app.staff import bp
from app.staff.listing import requested_page


@bp.get("/audit")
@login_required
def audit_log():
    wanted = audit.AuditFilter(
        action=request.args.get("action") or None,
        username=(request.args.get("username") or "").strip() or None,
        since=request.args.get("since", type=date.fromisoformat),
        until=request.args.get("until", type=date.fromisoformat),
    )
    return render_template(
        "staff/audit.html", page=audit.search(current_user, wanted, requested_page()), wanted=wanted,
        actors=audit.actors(), labels=audit.ACTION_LABELS, when=in_shanghai,
    )
