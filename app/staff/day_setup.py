"""Setting up a day at district scale: copy a meeting, import venues and booths, staff at booths, per-booth links
and every venue's screen link."""

from app.staff import bp  # noqa: F401
