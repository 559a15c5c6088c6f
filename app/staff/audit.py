"""The audit log viewer (district admins): who revealed, exported or decided what, and when."""

from flask import render_template, request
from flask_login import current_user, login_required

from app.services import audit
from app.services.local_time import in_shanghai
from app.staff import bp


@bp.get("/audit")
@login_required
def audit_log():
    action = request.args.get("action") or None
    username = (request.args.get("username") or "").strip() or None
    result = audit.search(current_user, action, username, request.args.get("page", 1, type=int))
    return render_template(
        "staff/audit.html", result=result, action=action, username=username, actions=audit.actions(),
        labels=audit.ACTION_LABELS, when=in_shanghai,
    )
