"""The intake counters computed from the SQL rows: the truth that Redis mirrors and rebuilds from."""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import ApplicationStatus, MembershipApplication, MutualAidCardApplication, Scan, Tally, Venue
from app.services import privacy

SHANGHAI = ZoneInfo("Asia/Shanghai")
METRICS = ("visitors", "scans", "materials", "consultations", "legal", "joins", "cards", "union_intents", "approved")
# What a tally of each kind counts into. `consultations` is every worker consulted (the union's report
# sentence), legal advice included; `legal` is the part of it given at the 法律咨询 booth, shown on its own.
TALLY_METRICS = {
    "materials": ("materials",),
    "consultation": ("consultations",),
    "legal": ("consultations", "legal"),
    "union_intent": ("union_intents",),
}
RECENT_JOINS = 12
YIELD_EVERY_ROWS = 200

Scope = tuple[str, int]


@dataclass
class MeetingCounts:
    """Counters of one meeting: values per (scope, id), visitor sets, the per-minute joins, recent joins."""

    meeting_id: int
    seq: int = 0
    values: dict[Scope, Counter] = field(default_factory=lambda: defaultdict(Counter))
    visitors: dict[Scope, set] = field(default_factory=lambda: defaultdict(set))
    event_keys: list[str] = field(default_factory=list)
    joins_by_minute: Counter = field(default_factory=Counter)
    recent: list[dict] = field(default_factory=list)

    def values_of(self, scope: str, scope_id: int) -> dict[str, int]:
        found = self.values.get((scope, scope_id), Counter())
        return {metric: int(found.get(metric, 0)) for metric in METRICS}

    def add(self, scopes: list[Scope], metric: str, amount: int) -> None:
        for scope in scopes:
            self.values[scope][metric] += amount


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def minute_of(moment: datetime) -> str:
    return as_utc(moment).astimezone(SHANGHAI).strftime("%H:%M")


def scopes_of(meeting_id: int, venue_id: int, booth_id: int | None, org_id: int) -> list[Scope]:
    scopes = [("meeting", meeting_id), ("venue", venue_id), ("org", org_id)]
    return scopes + ([("booth", booth_id)] if booth_id else [])


def in_turns(rows):
    """A meeting's rows, letting the other requests of this worker run every YIELD_EVERY_ROWS rows.

    Counting 3,500 joins took ≈ 50 ms of CPU in one piece; the repair loop does it every 20 s inside a
    gevent worker, whose joins in flight all waited for it (open-loop p99 at 100 joins/s 55–230 ms).
    """
    for number, row in enumerate(rows, 1):
        if number % YIELD_EVERY_ROWS == 0:
            time.sleep(0)  # under gevent's monkey-patching, a turn for the worker's other greenlets
        yield row


def count_meeting(meeting_id: int, with_recent: bool = False) -> MeetingCounts:
    """Every counter of a meeting from its rows (a handful of grouped queries)."""
    counts = MeetingCounts(meeting_id)
    host_of = dict(db.session.execute(select(Venue.id, Venue.host_org_id).where(Venue.meeting_id == meeting_id)).all())
    _count_scans(counts, host_of)
    _count_applications(counts)
    _count_cards(counts)
    _count_tallies(counts, host_of)
    if with_recent:
        counts.recent = recent_joins(meeting_id)
    return counts


def _count_scans(counts: MeetingCounts, host_of: dict[int, int]) -> None:
    rows = db.session.execute(
        select(Scan.id, Scan.venue_id, Scan.booth_id, Scan.visitor_key).where(Scan.meeting_id == counts.meeting_id)
    )
    for scan_id, venue_id, booth_id, visitor_key in in_turns(rows):
        scopes = scopes_of(counts.meeting_id, venue_id, booth_id, host_of[venue_id])
        counts.add(scopes, "scans", 1)
        for scope in scopes:
            counts.visitors[scope].add(visitor_key)
        counts.event_keys.append(f"scan:{scan_id}")
    for scope, visitors in counts.visitors.items():
        counts.values[scope]["visitors"] = len(visitors)


def _count_applications(counts: MeetingCounts) -> None:
    application = MembershipApplication
    rows = db.session.execute(
        select(
            application.id, application.venue_id, application.booth_id, application.host_org_id,
            application.status, application.submitted_at,
        ).where(application.meeting_id == counts.meeting_id)
    )
    for app_id, venue_id, booth_id, org_id, status, submitted_at in in_turns(rows):
        scopes = scopes_of(counts.meeting_id, venue_id, booth_id, org_id)
        counts.event_keys.append(f"application:{app_id}")
        if status is ApplicationStatus.WITHDRAWN:
            counts.event_keys.append(f"application:{app_id}:withdrawn")
        else:
            counts.add(scopes, "joins", 1)
            counts.joins_by_minute[minute_of(submitted_at)] += 1
        if status is ApplicationStatus.APPROVED:
            counts.add(scopes, "approved", 1)
            counts.event_keys.append(f"application:{app_id}:approved")


def _count_cards(counts: MeetingCounts) -> None:
    card = MutualAidCardApplication
    rows = db.session.execute(
        select(card.id, card.venue_id, card.booth_id, card.host_org_id).where(card.meeting_id == counts.meeting_id)
    )
    for card_id, venue_id, booth_id, org_id in in_turns(rows):
        counts.add(scopes_of(counts.meeting_id, venue_id, booth_id, org_id), "cards", 1)
        counts.event_keys.append(f"card:{card_id}")


def _count_tallies(counts: MeetingCounts, host_of: dict[int, int]) -> None:
    rows = db.session.execute(
        select(Tally.id, Tally.venue_id, Tally.booth_id, Tally.kind, Tally.quantity).where(
            Tally.meeting_id == counts.meeting_id
        )
    )
    for tally_id, venue_id, booth_id, kind, quantity in in_turns(rows):
        scopes = scopes_of(counts.meeting_id, venue_id, booth_id, host_of[venue_id])
        for metric in TALLY_METRICS[kind.value]:
            counts.add(scopes, metric, quantity)
        counts.event_keys.append(f"tally:{tally_id}")


def recent_joins(meeting_id: int, limit: int = RECENT_JOINS) -> list[dict]:
    """The newest joins for the big screen's ticker, names masked (张**)."""
    application = MembershipApplication
    rows = db.session.execute(
        select(application.name_enc, application.venue_id, application.submitted_at)
        .where(application.meeting_id == meeting_id, application.status != ApplicationStatus.WITHDRAWN)
        .order_by(application.submitted_at.desc(), application.id.desc())
        .limit(limit)
    )
    return [joined_entry(name_enc, venue_id, submitted_at) for name_enc, venue_id, submitted_at in rows]


def joined_entry(name_enc: bytes | None, venue_id: int, submitted_at: datetime) -> dict:
    """A ticker line: the masked name, the venue, the local time — never the name itself."""
    return {
        "name": privacy.mask_name(privacy.decrypt(name_enc)),
        "venue_id": venue_id,
        "at": as_utc(submitted_at).astimezone(SHANGHAI).strftime("%H:%M:%S"),
    }

