"""The booth console: booth staff tap tallies on a phone and watch their booth's and venue's live numbers."""

from flask import Blueprint

bp = Blueprint("booth", __name__, template_folder="templates")

from app.booth import views  # noqa: E402,F401  (views register on bp)
