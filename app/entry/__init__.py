"""The public entry: what a phone opens when it scans a booth's or a venue's QR (`/q/<code>`)."""

from flask import Blueprint

bp = Blueprint("entry", __name__, template_folder="templates")

from app.entry import views  # noqa: E402,F401  (views register on bp)
