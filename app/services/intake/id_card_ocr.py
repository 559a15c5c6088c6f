"""An ID-card photo read by WeChat's OCR, so a worker confirms their name and 身份证号 instead of typing 18 digits.

The photo is personal information we have no reason to keep: it is held in memory for the one WeChat call
and then dropped — never written to disk, the database or a log — and the answer is not stored either.

Each call is paid for (issue 22 item 4): only a WeChat (or dev) login may ask, per token and per address
limits stand before the view, and the whole deployment spends at most ID_CARD_OCR_DAILY_BUDGET calls a Beijing
day, counted in Redis (per process in embedded mode) through the windows of submission_limits.
"""

from dataclasses import dataclass

from flask import current_app

from app.errors import AppError
from app.models import Worker
from app.services import wechat
from app.services.intake import identity, submission_limits, workers
from app.services.intake.submission_limits import Window

MAX_PHOTO_BYTES = 2 * 1024 * 1024
# Magic bytes, not the file name or the client's content type: a phone may call any file "image.jpg".
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
TYPE_INSTEAD = "请直接填写姓名和身份证号"
# A day's budget is counted under that Beijing date; the key only has to outlive its day.
BUDGET_KEY_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class IdCardReading:
    name: str
    id_number: str


def read_id_card(worker: Worker, photo: bytes) -> IdCardReading:
    """The name and 身份证号 on the portrait side of an ID-card photo, for the worker to confirm."""
    if workers.kind_of(worker) == "h5":
        # The H5 page never offers it, and a visitor token costs nothing: each call would be paid for us.
        raise AppError("id_card_ocr_wechat_only", f"网页版不能拍照识别身份证，{TYPE_INSTEAD}", 403)
    mimetype = photo_type(photo)
    spend_from_daily_budget()
    try:
        result = wechat.ocr_id_card(photo, mimetype)
    except AppError as exc:
        if exc.code == "id_card_not_found":
            raise
        raise AppError("id_card_ocr_unavailable", f"暂时无法识别身份证照片，{TYPE_INSTEAD}", 503,
                       retry_after=exc.retry_after) from exc
    if result.get("type") != "Front":
        raise AppError("id_card_back_side", "这是身份证的国徽面，请拍摄有照片的人像面", 422)
    return reading_of(result)


def spend_from_daily_budget() -> None:
    """Count this WeChat call in the deployment's budget for the Beijing day; once it is spent, the worker types."""
    day = identity.today_in_beijing().isoformat()
    budget = Window(f"limits:id-card-ocr:{day}", current_app.config["ID_CARD_OCR_DAILY_BUDGET"], BUDGET_KEY_SECONDS,
                    is_hit=True)
    if submission_limits.store().check_and_hit([budget]):
        raise AppError("id_card_ocr_unavailable", f"今天的身份证识别次数已用完，{TYPE_INSTEAD}", 503)


def photo_type(photo: bytes) -> str:
    if not photo:
        raise AppError("id_card_photo_missing", "请拍摄或选择身份证人像面照片", 422, {"image": "请选择照片"})
    if len(photo) > MAX_PHOTO_BYTES:
        raise AppError("id_card_photo_too_large", "照片超过 2 MB，请重新拍摄", 413, {"image": "照片超过 2 MB"})
    for signature, mimetype in PHOTO_SIGNATURES.items():
        if photo.startswith(signature):
            return mimetype
    raise AppError("id_card_photo_invalid", "只能识别 JPG 或 PNG 格式的照片", 422, {"image": "请上传 JPG 或 PNG 照片"})


def reading_of(result: dict) -> IdCardReading:
    name = identity.normalise_text(result.get("name"))
    id_number = identity.normalise_id_number(result.get("id"))
    well_formed = identity.ID_PATTERN.match(id_number) and identity.id_check_char(id_number[:17]) == id_number[17]
    if not name or not well_formed:
        # A blurred or glaring photo: better to say so than to fill the form with a wrong number.
        raise AppError("id_card_unreadable", f"没有看清身份证上的信息，请在光线充足处重拍，或{TYPE_INSTEAD}", 422)
    return IdCardReading(name, id_number)
