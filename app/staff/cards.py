"""Card processing page: counts per venue, the list by status, sending to the bank, the bank's answer."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.downloads import streamed_download
from app.errors import AppError
from app.models import CardStatus
from app.models.card import CARD_STATUS_LABELS
from app.services import access, privacy
from app.services.afterday import card_processing, person_search
from app.services.afterday.card_processing import CardFilters
from app.services.setup import meeting_picker
from app.staff import bp
from app.staff.listing import requested_page


@bp.get("/cards")
@login_required
def card_list():
    meeting_field = meeting_picker.meeting_field(current_user, request.args.get("meeting"))
    meeting = meeting_field.picked
    filters = CardFilters(
        meeting_id=meeting.id if meeting else None,
        venue_id=request.args.get("venue_id", type=int) if meeting else None,
        status=card_status(request.args.get("status", CardStatus.PENDING.value)),
        search=person_search.person_search(request.args.get("q")),
        oldest_first=request.args.get("order") == "oldest",
    )
    page = card_processing.card_page(current_user, filters, requested_page(), request.remote_addr)
    return render_template(
        "staff/cards.html",
        page=page,
        people={card.id: privacy.identity_of(card.membership_application) for card in page.items},
        tallies=card_processing.card_tallies(current_user, filters.meeting_id),
        meeting_field=meeting_field,
        filters=filters,
        status_labels=CARD_STATUS_LABELS,
        can_process=access.is_district_admin(current_user),
    )


@bp.post("/cards/send-to-bank")
@login_required
def cards_send_to_bank():
    return streamed_download(card_processing.send_to_bank(current_user, selected_ids(), request.remote_addr))


@bp.post("/cards/bank-file")
@login_required
def cards_bank_file():
    meeting_id = request.form.get("meeting_id", type=int)
    return streamed_download(card_processing.resend_file(current_user, meeting_id, request.remote_addr))


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
