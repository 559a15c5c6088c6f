"""WeChat subscribe messages telling a worker what happened to their application: a review result, a move, a void.

One template (WECHAT_REVIEW_TEMPLATE_ID) for every change of an application's state, so a worker's one
subscription is spent on whichever news comes first; a message never undoes what it reports.
"""

import logging
from datetime import datetime

from flask import current_app

from app.errors import AppError
from app.models import Worker
from app.services import wechat
from app.services.local_time import in_shanghai

log = logging.getLogger(__name__)


def tell_worker(worker: Worker | None, result: str, note: str | None, moment: datetime) -> None:
    """Send the application-state message (result: ≤ 5 characters, WeChat's phrase field); skipped without
    a template or an openid, and a refusal by WeChat is only logged."""
    template_id = current_app.config.get("WECHAT_REVIEW_TEMPLATE_ID")
    if not template_id or worker is None or not worker.openid:
        return
    data = {
        "thing1": {"value": "工会入会申请"},
        "phrase2": {"value": result},
        "thing3": {"value": (note or "")[:20]},
        "time4": {"value": in_shanghai(moment).strftime("%Y-%m-%d %H:%M")},
    }
    try:
        wechat.send_subscribe_message(worker.openid, template_id, data, page="pages/me/index")
    except AppError as error:
        log.warning("application message to worker %s not sent: %s", worker.id, error.code)
