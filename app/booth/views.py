"""`/booth` (my booths), `/booths/<id>/console`, and the JSON tap endpoint `POST /api/booths/<id>/tallies`."""

from flask import jsonify, render_template, request
from flask_login import current_user, login_required

from app.booth import bp
from app.errors import AppError
from app.models import Role
from app.services import access
from app.services.live import tallies
from app.services.live.tallies import TallyInput

TEXT_FIELDS = ("idempotency_key", "kind", "firm_name", "contact_name", "contact_phone")


@bp.get("/booth")
@login_required
def my_booths():
    booths = current_user.booths if current_user.role is Role.BOOTH_STAFF else []
    open_booths = [booth for booth in booths if booth.venue.meeting.accepts_intake]
    return render_template("booth/my_booths.html", booths=open_booths)


@bp.get("/booths/<int:booth_id>/console")
@login_required
def console(booth_id: int):
    booth = tallies.booth_for(booth_id)
    access.require(access.can_tally_at(current_user, booth))
    return render_template("booth/console.html", booth=booth, venue=booth.venue, meeting=booth.venue.meeting)


@bp.post("/api/booths/<int:booth_id>/tallies")
def tally(booth_id: int):
    body = json_body()
    tap = TallyInput(
        **{name: str(body.get(name) or "") for name in TEXT_FIELDS}, quantity=body.get("quantity", 1)
    )
    return tally_answer(tallies.record_tally(current_user, tallies.booth_for(booth_id), tap))


@bp.post("/api/booths/<int:booth_id>/tallies/undo")
def tally_undo(booth_id: int):
    body = json_body()
    keys = {name: str(body.get(name) or "") for name in ("idempotency_key", "undoes")}
    booth = tallies.booth_for(booth_id)
    return tally_answer(tallies.undo_tally(current_user, booth, keys["idempotency_key"], keys["undoes"]))


def json_body() -> dict:
    if not current_user.is_authenticated:
        raise AppError("unauthorized", "请先登录", 401)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AppError("bad_request", "请求格式不正确", 400)
    return body


def tally_answer(result: tallies.TallyResult):
    saved = result.tally
    payload = {"id": saved.id, "kind": saved.kind.value, "quantity": saved.quantity, "created": result.created}
    return jsonify(payload), 201 if result.created else 200
