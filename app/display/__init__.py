"""The live side of a meeting: the totals API, the SSE stream, and the big-screen display page."""

from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates")

from app.display import views  # noqa: E402,F401  (views register on bp)
