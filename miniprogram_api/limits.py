"""The /mp/v1 submission limits around the submitting views: the request's token and address, in the
windows of app/services/intake/submission_limits.py (one Redis call before a submission)."""

from functools import wraps

from flask_limiter.util import get_remote_address

from app.errors import AppError
from app.services.intake.submission_limits import STATUS_SCOPE, Window, reveals_status, store, windows_of
from miniprogram_api.auth import worker_or_address


def status_windows() -> list[Window]:
    return [
        *windows_of("RATELIMIT_MP_STATUS_PER_TOKEN", STATUS_SCOPE, worker_or_address(), False),
        *windows_of("RATELIMIT_MP_STATUS_PER_IP", STATUS_SCOPE, "ip:" + get_remote_address(), False),
    ]


def submission_windows(scope: str, per_address: bool) -> list[Window]:
    own = windows_of("RATELIMIT_MP_SUBMIT_PER_TOKEN", scope, worker_or_address(), True)
    if per_address:
        own += windows_of("RATELIMIT_MP_SUBMIT_PER_IP", scope, "ip:" + get_remote_address(), True)
    return own + status_windows()


def enforced(scope: str, per_address: bool = True):
    """Decorate a submitting view: 429 before it runs when a window is full; its 409s counted after."""

    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            wait = store().check_and_hit(submission_windows(scope, per_address))
            if wait:
                raise AppError("rate_limited", "操作太频繁，请稍后再试", 429, retry_after=wait)
            try:
                return view(*args, **kwargs)
            except AppError as refusal:
                if reveals_status(refusal):
                    store().hit(status_windows())
                raise

        return limited

    return decorate
