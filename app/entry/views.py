"""`/q/<code>`: resolve the scanned code and show where the worker is."""

from flask import Response, abort, current_app, render_template

from app.entry import bp
from app.errors import AppError
from app.extensions import limiter
from app.services.intake import notices
from app.services.setup import entry_codes


@bp.get("/q/<code>")
@limiter.limit(lambda: current_app.config["RATELIMIT_SCAN_PER_IP"])
def landing(code: str):
    # With H5 sign-up on, a phone camera's scan gets the join form; otherwise a pointer to the mini-program.
    template = "entry/h5.html" if current_app.config["H5_JOIN_ENABLED"] else "entry/landing.html"
    return render_template(template, entry_code=entry_codes.resolve(code), card_points=notices.card_key_points())


@bp.get("/privacy")
def privacy_notice():
    """个人信息保护说明, linked next to the consent box (the mini-program reads /mp/v1/privacy-notice)."""
    return render_template("entry/privacy.html", notice=notices.privacy_notice())


@bp.get("/<name>.txt")
def wechat_link_verification(name: str):
    """The one file WeChat fetches from the site root to verify the /q/ links' domain (WECHAT_LINK_VERIFY_FILE)."""
    configured = current_app.config["WECHAT_LINK_VERIFY_FILE"]
    if configured is None or configured[0] != f"{name}.txt":
        abort(404)
    return Response(configured[1], mimetype="text/plain")


@bp.errorhandler(AppError)
def unavailable(error: AppError):
    # A worker's phone, not a staff page: no staff links, just what happened and what to do.
    return render_template("entry/unavailable.html", error=error), error.status
