"""Who the worker is: WeChat login, the dev login, the H5 visitor, and the verified phone number."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.errors import AppError
from app.extensions import db, wechat
from app.models import ApplicationMove, MembershipApplication, MutualAidCardApplication, Worker
from app.models.base import utcnow
from app.services import privacy, process_cache
from app.services import wechat as wechat_api
from app.services.intake import cards, enrolment, moves
from app.services.live.intake_sql import as_utc

DEV_PREFIX = "dev:"
REVOCATIONS_CACHE = "token_revocations"


@dataclass
class WorkerOverview:
    worker: Worker
    membership_applications: list[MembershipApplication]
    card_applications: list[MutualAidCardApplication]
    # Former applications recovered onto another phone: shown read-only, never their later state.
    moved_applications: list[ApplicationMove]

    @property
    def card_eligibility(self) -> cards.CardEligibility:
        live = enrolment.live_among(self.membership_applications)
        return cards.eligibility(live, cards.current_among(self.card_applications))


def login(code: str) -> Worker:
    """The worker behind a wx.login() code (or a dev:<name> code when WeChat is not configured)."""
    if wechat.enabled:
        session = wechat_api.code_to_session(code)
        worker = worker_for_openid(session.openid)
        worker.unionid = session.unionid or worker.unionid
        # session_key stays on the server, encrypted; the phone only ever gets our own token.
        worker.session_key_enc = privacy.encrypt(session.session_key)
    elif dev_login_allowed() and code.startswith(DEV_PREFIX) and len(code) > len(DEV_PREFIX):
        worker = worker_for_openid(code)
    elif dev_login_allowed():
        raise AppError("wechat_code_invalid", "开发登录请使用 dev:<名字> 形式的登录凭证", 401)
    else:
        raise AppError("wechat_not_configured", "未配置微信小程序（WECHAT_APPID）", 503)
    worker.last_seen_at = utcnow()
    db.session.commit()
    return worker


def h5_visitor() -> Worker:
    """A new browser visitor, for the H5 page opened by a phone camera."""
    if not current_app.config["H5_JOIN_ENABLED"]:
        raise AppError("h5_disabled", "网页报名未开放，请使用微信扫码进入小程序", 404)
    worker = Worker(h5_visitor_id=secrets.token_urlsafe(24), last_seen_at=utcnow())
    db.session.add(worker)
    db.session.commit()
    return worker


def verify_phone(worker: Worker, code: str) -> Worker:
    """Store the phone number WeChat vouches for (encrypted); join forms may then omit the mobile."""
    worker.phone_enc = privacy.encrypt(wechat_api.phone_number(code))
    db.session.commit()
    return worker


def overview(worker: Worker) -> WorkerOverview:
    """Everything the worker has applied for, newest first (their own data only), and what moved away."""
    return WorkerOverview(
        worker, enrolment.applications_of(worker), cards.cards_of(worker), moves.moved_away_from(worker)
    )


def find(worker_id: int) -> Worker | None:
    return db.session.get(Worker, worker_id)


def revoke_tokens(worker_id: int) -> None:
    """Refuse every token issued to the worker until now, in every process at once (a lost phone, say)."""
    db.session.execute(update(Worker).where(Worker.id == worker_id).values(tokens_revoked_at=utcnow()))
    db.session.commit()
    forget_revocations()


def revoke_every_token() -> int:
    """Mark every worker's tokens issued until now as refused, in one UPDATE; the caller commits, then forgets."""
    return db.session.execute(update(Worker).values(tokens_revoked_at=utcnow())).rowcount


def forget_revocations() -> None:
    """After a revoke commits: every process re-reads the revocation list at its next token check."""
    process_cache.caches().forget_everywhere(REVOCATIONS_CACHE)


def tokens_revoked_at(worker_id: int) -> datetime | None:
    """When the worker's tokens were last revoked, from this process's cached revocation list."""
    return process_cache.caches().named(REVOCATIONS_CACHE).get("recent", recent_revocations).get(worker_id)


def recent_revocations() -> dict[int, datetime]:
    # Only revocations younger than a token can matter: every older token has expired anyway.
    since = utcnow() - timedelta(seconds=current_app.config["MP_TOKEN_TTL_SECONDS"])
    query = select(Worker.id, Worker.tokens_revoked_at).where(Worker.tokens_revoked_at >= since)
    return {worker_id: as_utc(revoked_at) for worker_id, revoked_at in db.session.execute(query)}


def kind_of(worker: Worker) -> str:
    if worker.h5_visitor_id:
        return "h5"
    return "dev" if (worker.openid or "").startswith(DEV_PREFIX) else "wechat"


def dev_login_allowed() -> bool:
    config = current_app.config
    return config["DEV_LOGIN_ENABLED"] and config["APP_ENV"] != "production"


def worker_for_openid(openid: str) -> Worker:
    worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    if worker:
        return worker
    try:
        with db.session.begin_nested():
            worker = Worker(openid=openid)
            db.session.add(worker)
    except IntegrityError:
        # The same person's two first logins raced; the other one created the row.
        worker = db.session.scalar(select(Worker).where(Worker.openid == openid))
    return worker
