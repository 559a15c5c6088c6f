"""The /mp/v1 endpoints: read the request through a schema, call one service, answer through a schema."""

from functools import wraps

from flask import current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import UnprocessableEntity

from app.errors import AppError, render_error
from app.extensions import limiter
from app.services.intake import cards, enrolment, id_card_ocr, identity, notices, recovery, scans, workers
from app.services.intake.submission_limits import id_number_key
from miniprogram_api import blp, limits, schemas
from miniprogram_api.auth import authenticate, current_worker, current_worker_id, issue_token, worker_or_address

# The notices are read before anyone signs in (the consent box links to them).
PUBLIC_ENDPOINTS = {"mp.login", "mp.h5_login", "mp.privacy_notice", "mp.card_info"}
BEARER = [{"bearerAuth": []}]
# Ids are 32-bit integers in the database: a larger number is simply not found, never a database error.
APPLICATION_PATH = "/membership-applications/<int(max=2147483647):application_id>"
# Request schemas are given as instances: from a class, webargs builds one (deep-copying every field) per request.


def configured(name: str):
    return lambda: current_app.config[name]


login_limit = limiter.limit(configured("RATELIMIT_MP_LOGIN"), key_func=get_remote_address)
h5_limit_per_address = limiter.limit(configured("RATELIMIT_MP_H5_PER_IP"), key_func=get_remote_address)
submit_limit_per_token = limiter.limit(configured("RATELIMIT_MP_SUBMIT_PER_TOKEN"), key_func=worker_or_address)
submit_limit_per_address = limiter.limit(configured("RATELIMIT_MP_SUBMIT_PER_IP"), key_func=get_remote_address)
scan_limit_per_address = limiter.limit(configured("RATELIMIT_SCAN_PER_IP"), key_func=get_remote_address)
ocr_limit_per_token = limiter.limit(configured("RATELIMIT_MP_OCR_PER_TOKEN"), key_func=worker_or_address)
ocr_limit_per_address = limiter.limit(configured("RATELIMIT_MP_OCR_PER_IP"), key_func=get_remote_address)
# Room for the multipart envelope around a photo of the largest size the service accepts.
PHOTO_REQUEST_MAX_BYTES = id_card_ocr.MAX_PHOTO_BYTES + 16 * 1024


def recovered_id_number() -> str:
    """Rate-limit key of a recovery: the ID number it names (a daily keyed hash, not its blind index), whoever asks."""
    body = request.get_json(silent=True)
    id_number = body.get("id_number") if isinstance(body, dict) else None
    return "id:" + id_number_key(identity.normalise_id_number(str(id_number or "")))


recover_limit_per_token = limiter.limit(configured("RATELIMIT_MP_RECOVER_PER_TOKEN"), key_func=worker_or_address)
recover_limit_per_address = limiter.limit(configured("RATELIMIT_MP_RECOVER_PER_IP"), key_func=get_remote_address)
recover_limit_per_id = limiter.limit(configured("RATELIMIT_MP_RECOVER_PER_ID"), key_func=recovered_id_number)


@blp.before_request
def require_token():
    if request.endpoint not in PUBLIC_ENDPOINTS:
        authenticate()


@blp.errorhandler(UnprocessableEntity)
def field_errors(exc: UnprocessableEntity):
    """webargs' 422 in our shape: one Chinese message per request field."""
    locations = (getattr(exc, "data", None) or {}).get("messages", {})
    found = {name: first_message(m) for fields in locations.values() for name, m in fields.items()}
    schema_level = found.pop("_schema", None)
    message = "请求内容应为 JSON 对象" if schema_level and not found else enrolment.FORM_INVALID
    return render_error(AppError("validation_error", message, 422, found))


def first_message(messages) -> str:
    if isinstance(messages, dict):
        return first_message(next(iter(messages.values())))
    return str(messages[0]) if isinstance(messages, list) else str(messages)


@blp.route("/auth/login", methods=["POST"])
@login_limit
@blp.arguments(schemas.LoginSchema())
@blp.response(200, schemas.TokenSchema)
def login(body):
    """Sign in with a wx.login() code (dev:<name> when WeChat is not configured)."""
    return issue_token(workers.login(body["code"]))


@blp.route("/auth/h5", methods=["POST"])
@h5_limit_per_address
@blp.response(200, schemas.TokenSchema)
def h5_login():
    """A visitor token for the H5 page (when H5_JOIN_ENABLED)."""
    return issue_token(workers.h5_visitor())


@blp.route("/auth/phone", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(schemas.PhoneCodeSchema())
@blp.response(200, schemas.WorkerSchema)
def verify_phone(body):
    """Verify the worker's phone number through WeChat; answered masked."""
    return workers.verify_phone(current_worker(), body["code"])


@blp.route("/entries/<string:code>", methods=["GET"])
@scan_limit_per_address
@blp.doc(security=BEARER)
@blp.response(200, schemas.EntrySchema)
def entry(code):
    """Open a scanned entry code: where I am, what I can do, my current statuses."""
    return scans.open_entry(current_worker(), code)


@blp.route("/membership-applications", methods=["POST"])
@limiter.exempt  # limited by limits.enforced, in one Redis call: Flask-Limiter need not look at it too
@limits.enforced("join")
@blp.doc(security=BEARER)
@blp.arguments(schemas.IdempotencyHeaderSchema(), location="headers", as_kwargs=True)
@blp.arguments(schemas.MembershipApplicationRequest())
@blp.response(201, schemas.MembershipApplicationSchema)
@blp.alt_response(200, schema=schemas.MembershipApplicationSchema, description="该申请已存在（重复提交）")
def submit_application(body, idempotency_key=None):
    """Submit a membership application at the scanned entry code."""
    submission = enrolment.submit_application(current_worker_id(), body, idempotency_key)
    return submission.application, submission.status


@blp.route(APPLICATION_PATH, methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, schemas.MembershipApplicationSchema)
def get_application(application_id):
    """One of my membership applications."""
    return enrolment.own_application(current_worker(), application_id)


@blp.route(APPLICATION_PATH, methods=["PATCH"])
@limiter.exempt
@limits.enforced("correct", per_address=False)
@blp.doc(security=BEARER)
@blp.arguments(schemas.IdempotencyHeaderSchema(), location="headers", as_kwargs=True)
@blp.arguments(schemas.MembershipApplicationFields(partial=True))
@blp.response(200, schemas.MembershipApplicationSchema)
def resubmit_application(body, application_id, idempotency_key=None):
    """Correct a returned application and submit it again (a retry with its Idempotency-Key answers the same)."""
    return enrolment.resubmit_application(current_worker(), application_id, body, idempotency_key)


@blp.route(APPLICATION_PATH, methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, schemas.MembershipApplicationSchema)
def withdraw_application(application_id):
    """Withdraw a submitted application."""
    return enrolment.withdraw_application(current_worker(), application_id)


@blp.route("/membership-applications/recover", methods=["POST"])
@recover_limit_per_token
@recover_limit_per_address
@recover_limit_per_id
@blp.doc(security=BEARER)
@blp.arguments(schemas.RecoveryRequest())
@blp.response(200, schemas.MembershipApplicationSchema)
def recover_application(body):
    """找回我的申请: move my live application to this phone (a booth's code, or my verified WeChat phone)."""
    return recovery.recover(current_worker(), body["id_number"], body.get("recovery_code"), request.remote_addr)


@blp.route("/mutual-aid-card-applications", methods=["POST"])
@submit_limit_per_token
@submit_limit_per_address
@blp.doc(security=BEARER)
@blp.arguments(schemas.CardApplicationRequest())
@blp.response(201, schemas.CardApplicationSchema)
def apply_for_card(body):
    """Apply for the 互助服务卡 after joining."""
    return cards.apply_for_card(current_worker(), body)


def accepts_upload(max_bytes: int):
    """Raise this endpoint's body limit above the app's 64 KB before the arguments are parsed."""

    def decorate(view):
        @wraps(view)
        def raised(*args, **kwargs):
            request.max_content_length = max_bytes
            return view(*args, **kwargs)

        return raised

    return decorate


@blp.route("/id-card/ocr", methods=["POST"])
@ocr_limit_per_token
@ocr_limit_per_address
@blp.doc(security=BEARER)
@accepts_upload(PHOTO_REQUEST_MAX_BYTES)
@blp.arguments(schemas.IdCardPhotoRequest(), location="files")
@blp.response(200, schemas.IdCardReadingSchema)
def read_id_card(files):
    """Read name and 身份证号 from a photo of the ID card's portrait side (WeChat logins only); nothing is stored."""
    return id_card_ocr.read_id_card(current_worker(), files["image"].read())


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, schemas.MeSchema)
def me():
    """My applications and their statuses."""
    return workers.overview(current_worker())


@blp.route("/privacy-notice", methods=["GET"])
@blp.response(200, schemas.PrivacyNoticeSchema)
def privacy_notice():
    """个人信息保护说明 (the same text as the H5 page /privacy)."""
    return notices.privacy_notice()


@blp.route("/card-info", methods=["GET"])
@blp.response(200, schemas.CardInfoSchema)
def card_info():
    """互助服务卡（京卡）办卡须知."""
    return notices.card_info()
