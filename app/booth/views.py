"""`/b/<token>` (a per-booth link for a volunteer), `/booth` (my booths), `/booths/<id>/console`, the JSON tap
endpoint `POST /api/booths/<id>/tallies`, and the booth help page `/booths/<id>/lookup` (a worker's application by
their ID card: status, a code to move it, a void)."""

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.booth import bp
from app.errors import AppError
from app.extensions import limiter
from app.models import Role
from app.services import access, privacy
from app.services.intake import booth_help
from app.services.live import tallies
from app.services.live.tallies import TallyInput
from app.services.local_time import in_shanghai
from app.services.setup import booth_passes

TEXT_FIELDS = ("idempotency_key", "kind", "firm_name", "contact_name", "contact_phone")
# A refusal the staff member can act on stays on the page: a mistyped ID number, a missing reason, no such
# application (or one they may not see), an approved membership only its reviewing union may void.
ON_THE_PAGE = (404, 409, 422)


def staff_account() -> str:
    # Per account, not per address: a venue's booths share one Wi-Fi, and every answer tells an ID's status.
    return f"user:{current_user.get_id() or get_remote_address()}"


lookup_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_BOOTH_LOOKUP_PER_USER"], scope="booth-lookup",
    key_func=staff_account, methods=["POST"],
)


@bp.get("/booth")
@login_required
def my_booths():
    booths = current_user.booths if current_user.role is Role.BOOTH_STAFF else []
    open_booths = [booth for booth in booths if booth.venue.meeting.accepts_intake]
    return render_template("booth/my_booths.html", booths=open_booths)


@bp.route("/b/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_DISPLAY_PER_IP"])
def pass_landing(token: str):
    """A per-booth link: the page asks first (WeChat and chat apps open links to preview them), then signs in."""
    if request.method == "GET":
        return render_template("booth/pass_landing.html", booth_pass=booth_passes.resolve(token), token=token)
    guest = booth_passes.enter(token, request.remote_addr)
    logout_user()
    login_user(guest)
    return redirect(url_for("booth.console", booth_id=guest.booths[0].id))


@bp.get("/booths/<int:booth_id>/console")
@login_required
def console(booth_id: int):
    booth = tallies.booth_for(booth_id)
    access.require(access.can_work_at(current_user, booth))
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
    undone = tallies.undo_tally(current_user, booth, keys["idempotency_key"], keys["undoes"], request.remote_addr)
    return tally_answer(undone)


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


@bp.route("/booths/<int:booth_id>/lookup", methods=["GET", "POST"])
@login_required
@lookup_limit
def lookup(booth_id: int):
    """Look a person up by the ID card in front of the staff member (audited)."""
    booth = tallies.booth_for(booth_id)
    access.require(access.can_help_at(current_user, booth))
    if request.method == "GET":
        return render_lookup(booth)
    return answered(booth, lambda: booth_help.look_up(current_user, booth, id_number(), request.remote_addr))


@bp.post("/booths/<int:booth_id>/lookup/code")
@login_required
@lookup_limit
def lookup_code(booth_id: int):
    """A one-time code the person types on their phone to move the application there."""
    booth = tallies.booth_for(booth_id)
    return answered(booth, lambda: booth_help.give_recovery_code(current_user, booth, id_number(), request.remote_addr))


@bp.post("/booths/<int:booth_id>/lookup/void")
@login_required
@lookup_limit
def lookup_void(booth_id: int):
    """Void an application filed with this person's ID number by someone else (冒用身份证号)."""
    booth = tallies.booth_for(booth_id)
    reason = request.form.get("reason", "")
    return answered(booth, lambda: booth_help.void(current_user, booth, id_number(), reason, request.remote_addr),
                    voided=True)


def id_number() -> str:
    return request.form.get("id_number", "")


def answered(booth, step, voided: bool = False):
    try:
        found = step()
    except AppError as error:
        if error.status not in ON_THE_PAGE:
            raise
        return render_lookup(booth, error=error, id_number=id_number()), error.status
    return render_lookup(booth, found=found, voided=voided)


def render_lookup(booth, found=None, **context):
    application = found.application if found else None
    if application:
        context["identity"] = privacy.identity_of(application)
        context["submitted_on"] = f"{in_shanghai(application.submitted_at):%Y-%m-%d %H:%M}"
    return render_template("booth/lookup.html", booth=booth, venue=booth.venue, found=found, **context)
