"""The meeting field's suggestions as the user types (app/static/meeting_picker.js): only meetings they may see."""

from flask import jsonify, request
from flask_login import current_user, login_required

from app.services.setup import meeting_picker
from app.staff import bp


@bp.get("/meetings/search")
@login_required
def meeting_search():
    found = meeting_picker.meeting_choices(current_user, request.args.get("q", ""))
    return jsonify(meetings=[
        {"id": m.id, "title": m.title, "held_on": m.held_on.isoformat(), "label": meeting_picker.label(m)}
        for m in found
    ])
