"""Card processing page: counts per venue, the list by status, sending to the bank, the bank's answer."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.errors import AppError
from app.extensions import db
from app.models import CardStatus, Meeting
from app.models.card import CARD_STATUS_LABELS
from app.services import access, privacy
from app.services.afterday import card_processing
from app.services.afterday.exports import ExportFile
from app.staff import bp


@bp.get("/cards")
@login_required
def card_list():
    meeting_id = request.args.get("meeting_id", type=int)
    status = card_status(request.args.get("status", CardStatus.PENDING.value))
    cards = card_processing.card_queue(current_user, meeting_id, status)
    return render_template(
        "staff/cards.html",
        cards=cards,
        people={card.id: privacy.identity_of(card.membership_application) for card in cards},
        counts=card_processing.counts_by_venue(current_user, meeting_id),
        meetings=db.session.scalars(db.select(Meeting).order_by(Meeting.held_on.desc())).all(),
        meeting_id=meeting_id,
        status=status,
        status_labels=CARD_STATUS_LABELS,
        can_process=access.is_district_admin(current_user),
    )


@bp.post("/cards/send-to-bank")
@login_required
def cards_send_to_bank():
    return download(card_processing.send_to_bank(current_user, selected_ids(), request.remote_addr))


@bp.post("/cards/bank-file")
@login_required
def cards_bank_file():
    meeting_id = request.form.get("meeting_id", type=int)
    return download(card_processing.resend_file(current_user, meeting_id, request.remote_addr))


@bp.post("/cards/answer")
@login_required
def cards_answer():
    status = card_status(request.form.get("status", ""))
    changed = card_processing.record_bank_answer(
        current_user, selected_ids(), status, request.form.get("reason", ""), request.remote_addr
    )
    flash(f"已将 {changed} 张标记为「{CARD_STATUS_LABELS[status.value]}」")
    return redirect(url_for("staff.card_list", status=CardStatus.SENT_TO_BANK.value))


def card_status(value: str) -> CardStatus | None:
    if value == "all":
        return None
    if value not in CARD_STATUS_LABELS:
        raise AppError("invalid_status", "未知的状态", 422, {"status": "未知的状态"})
    return CardStatus(value)


def selected_ids() -> list[int]:
    return [int(value) for value in request.form.getlist("card_id") if value.isdigit()]


def download(export: ExportFile):
    return send_file(io.BytesIO(export.content), mimetype=export.mimetype, as_attachment=True,
                     download_name=export.filename)
