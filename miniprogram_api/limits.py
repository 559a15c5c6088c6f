"""The /mp/v1 submission limits around the submitting views: the request's token, address and way of signing in,
in the windows of app/services/intake/submission_limits.py (one Redis call before a submission, one after an
answer that told an ID number's status)."""

from functools import wraps

from flask_limiter.util import get_remote_address

from app.errors import AppError
from app.services.intake import submission_limits
from app.services.intake.submission_limits import Window, reveals_status, store, windows_of
from miniprogram_api.auth import signed_in_by, worker_or_address


def status_windows() -> list[Window]:
    # A dev login stands for a WeChat login where there is no WeChat (never in production); an H5 visitor is free.
    by_account = signed_in_by() != "h5"
    return submission_limits.status_windows(worker_or_address(), get_remote_address(), by_account)


def submission_windows(scope: str, per_address: bool) -> list[Window]:
    own = windows_of("RATELIMIT_MP_SUBMIT_PER_TOKEN", scope, worker_or_address(), True)
    if per_address:
        own += windows_of("RATELIMIT_MP_SUBMIT_PER_IP", scope, "ip:" + get_remote_address(), True)
    return own + status_windows()


# A crowd on one venue's Wi-Fi shares its address: the web page's answers are counted per address, WeChat's are not.
H5_REFUSED = "操作太频繁，请稍后再试；也可以用微信“扫一扫”扫描现场二维码入会"


def refused_message() -> str:
    return H5_REFUSED if signed_in_by() == "h5" else "操作太频繁，请稍后再试"


def enforced(scope: str, per_address: bool = True):
    """Decorate a submitting view: 429 before it runs when a window is full; answers telling a status counted after."""

    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            wait = store().check_and_hit(submission_windows(scope, per_address))
            if wait:
                raise AppError("rate_limited", refused_message(), 429, retry_after=wait)
            try:
                response = view(*args, **kwargs)
            except AppError as refusal:
                if reveals_status(refusal):
                    store().hit(status_windows())
                raise
            if reveals_status(response.status_code):
                store().hit(status_windows())
            return response

        return limited

    return decorate
