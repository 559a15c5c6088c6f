"""The staff web: server-rendered Chinese pages for booth staff, town unions and the district."""

from flask import Blueprint

bp = Blueprint("staff", __name__, template_folder="templates")

from app.staff import (  # noqa: E402,F401  (views register on bp)
    accounts,
    audit,
    auth,
    cards,
    codes,
    day_setup,
    exports,
    ledger,
    meeting_picker,
    meetings,
    overview,
    review,
    unions,
)
