"""`/q/<code>`: resolve the scanned code and show where the worker is."""

from flask import render_template

from app.entry import bp
from app.errors import AppError
from app.services import entry_codes


@bp.get("/q/<code>")
def landing(code: str):
    return render_template("entry/landing.html", entry_code=entry_codes.resolve(code))


@bp.errorhandler(AppError)
def unavailable(error: AppError):
    # A worker's phone, not a staff page: no staff links, just what happened and what to do.
    return render_template("entry/unavailable.html", error=error), error.status
