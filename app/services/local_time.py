"""Beijing time for what people read: dates on exports, months in the overview, member-number years."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def in_shanghai(moment: datetime) -> datetime:
    """A stored timestamp in Asia/Shanghai; SQLite hands back naive UTC, PostgreSQL aware values."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI)


def now_in_shanghai() -> datetime:
    return datetime.now(SHANGHAI)
