"""Staff pages of a meeting's day: the summary in the union's words, its Excel sheet, the big-screen links."""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")

from app.reports import views  # noqa: E402,F401  (views register on bp)
