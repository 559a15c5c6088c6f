"""The meeting field of the review queue, the card desk and the exports: a search over the meetings a user sees.

It replaced a <select> of every meeting of the district, which showed town staff the titles of other towns'
meetings and grew by a thousand options a year. Choices are labelled "title（date）#id": the id is what a
filter keeps, so a label typed or picked names one meeting, and an id of a meeting the user may not see is
answered like one that does not exist.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, or_, select

from app.errors import AppError
from app.extensions import db
from app.models import Meeting, User
from app.services import access
from app.services.intake import identity
from app.services.setup import meetings

CHOICES = 50
CHOSEN_ID = re.compile(r"^#?(\d+)$|#(\d+)$")  # "12", "#12", or a choice's whole label ending in "#12"
PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")  # 2026, 2026-12 or 2026-12-08


@dataclass
class MeetingField:
    """What the field shows: the picked meeting (None: all) and the labels of the user's latest meetings."""

    picked: Meeting | None
    choices: list[str]

    @property
    def value(self) -> str:
        return label(self.picked) if self.picked else ""


def label(meeting: Meeting) -> str:
    return f"{meeting.title}（{meeting.held_on.isoformat()}）#{meeting.id}"


def meeting_field(user: User, text: str | None) -> MeetingField:
    """The field as a filter form shows it again, with the meeting its text names."""
    return MeetingField(pick_meeting(user, text), [label(meeting) for meeting in meeting_choices(user)])


def meeting_choices(user: User, text: str | None = "", limit: int = CHOICES) -> list[Meeting]:
    """The user's meetings whose title, date or number matches the text, newest first (the latest without text)."""
    query = select(Meeting).where(access.seen_meetings(user))
    if text := identity.normalise_text(text):
        query = query.where(matching(text))
    return list(db.session.scalars(query.order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(limit)))


def pick_meeting(user: User, text: str | None) -> Meeting | None:
    """The one meeting a filter names (its label, its number, or a title or date only it matches); None for all."""
    text = identity.normalise_text(text)
    if not text:
        return None
    if chosen := CHOSEN_ID.search(text):
        return meetings.meeting_seen_by(user, int(chosen.group(1) or chosen.group(2)))
    found = meeting_choices(user, text, limit=2)
    if len(found) == 1:
        return found[0]
    message = f"有多个沟通会符合「{text}」，请从列表中选一个" if found else f"没有名称或日期符合「{text}」的沟通会"
    raise AppError("meeting_not_picked", message, 422, {"meeting": message})


def matching(text: str) -> ColumnElement[bool]:
    # A title has no index to search by part: the scan is bounded by the user's meetings (12,000 at a city's 10×).
    conditions = [Meeting.title.icontains(text, autoescape=True)]
    if text.isdigit():
        conditions.append(Meeting.id == int(text))
    if period := held_within(text):
        conditions.append(Meeting.held_on.between(*period))
    return or_(*conditions)


def held_within(text: str) -> tuple[date, date] | None:
    """The days a typed year, month or date covers."""
    parts = PERIOD.match(re.sub(r"[./年月日]", "-", text).strip("-"))
    if parts is None:
        return None
    year, month, day = (int(part) if part else None for part in parts.groups())
    try:
        if day is not None:
            return date(year, month, day), date(year, month, day)
        if month is not None:
            return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:  # 2026-13, 2026-02-30: no such days
        return None
