"""The intake counters computed from the SQL rows: the truth that Redis mirrors and rebuilds from."""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models import ApplicationStatus, MembershipApplication, MutualAidCardApplication, Scan, Tally, TallyKind, Venue
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


class local_minute(FunctionElement):  # noqa: N801 — used like func.*
    """A moment's "HH:MM" in Shanghai (minute_of's key), worked out by the database so that it can group by it."""

    type = String()
    inherit_cache = True


@compiles(local_minute, "postgresql")
def _local_minute_in_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'Asia/Shanghai', 'HH24:MI')"


@compiles(local_minute, "sqlite")
def _local_minute_in_sqlite(element, compiler, **kw):  # SQLite keeps UTC text; Shanghai has no summer time
    return f"strftime('%H:%M', {compiler.process(element.clauses, **kw)}, '+8 hours')"


def scopes_of(meeting_id: int, venue_id: int, booth_id: int | None, org_id: int) -> list[Scope]:
    scopes = [("meeting", meeting_id), ("venue", venue_id), ("org", org_id)]
    return scopes + ([("booth", booth_id)] if booth_id else [])


def in_turns(rows):
    """A meeting's rows, letting the other requests of this worker run every YIELD_EVERY_ROWS rows.

    Walking 3,500 joins took ≈ 50 ms of CPU in one piece; a rebuild does it inside a gevent worker, whose
    joins in flight all waited for it (open-loop p99 at 100 joins/s 55–230 ms).
    """
    for number, row in enumerate(rows, 1):
        if number % YIELD_EVERY_ROWS == 0:
            time.sleep(0)  # under gevent's monkey-patching, a turn for the worker's other greenlets
        yield row


def count_meeting(meeting_id: int, with_recent: bool = False) -> MeetingCounts:
    """Every counter of a meeting, added up by the database: grouped queries whose answers are as long as the
    meeting has venues, booths and minutes, however many people it has seen.

    The repair loop compares these with Redis every 20 s. It used to fetch every row and add them up here: the
    worker that did kept the memory of the largest meeting it had walked, a little more each time
    (bench/soak.py, 2026-12-06: +1 MB a minute per worker at 50 joins/s, with no plateau).
    """
    counts = MeetingCounts(meeting_id)
    host_of = _hosts_of_venues(meeting_id)
    _sum_scans(counts, host_of)
    _count_distinct_visitors(counts)
    _sum_applications(counts)
    _sum_cards(counts)
    _sum_tallies(counts, host_of)
    if with_recent:
        counts.recent = recent_joins(meeting_id)
    return counts


def _sum_scans(counts: MeetingCounts, host_of: dict[int, int]) -> None:
    grouped = select(Scan.venue_id, Scan.booth_id, func.count()).group_by(Scan.venue_id, Scan.booth_id)
    for venue_id, booth_id, number in db.session.execute(grouped.where(Scan.meeting_id == counts.meeting_id)):
        counts.add(scopes_of(counts.meeting_id, venue_id, booth_id, host_of[venue_id]), "scans", number)


def _sum_applications(counts: MeetingCounts) -> None:
    application, meeting_id = MembershipApplication, counts.meeting_id
    place = (application.venue_id, application.booth_id, application.host_org_id)
    grouped = select(*place, application.status, func.count()).group_by(*place, application.status)
    for venue_id, booth_id, org_id, status, number in db.session.execute(
        grouped.where(application.meeting_id == meeting_id)
    ):
        _add_applications(counts, scopes_of(meeting_id, venue_id, booth_id, org_id), status, number)
    minute = local_minute(application.submitted_at)
    by_minute = select(minute, func.count()).group_by(minute).where(
        application.meeting_id == meeting_id, application.status != ApplicationStatus.WITHDRAWN
    )
    counts.joins_by_minute.update(dict(db.session.execute(by_minute).all()))


def _sum_cards(counts: MeetingCounts) -> None:
    card = MutualAidCardApplication
    place = (card.venue_id, card.booth_id, card.host_org_id)
    grouped = select(*place, func.count()).group_by(*place).where(card.meeting_id == counts.meeting_id)
    for venue_id, booth_id, org_id, number in db.session.execute(grouped):
        counts.add(scopes_of(counts.meeting_id, venue_id, booth_id, org_id), "cards", number)


def _sum_tallies(counts: MeetingCounts, host_of: dict[int, int]) -> None:
    place = (Tally.venue_id, Tally.booth_id, Tally.kind)
    grouped = select(*place, func.sum(Tally.quantity)).group_by(*place).where(Tally.meeting_id == counts.meeting_id)
    for venue_id, booth_id, kind, quantity in db.session.execute(grouped):
        _add_tallies(counts, scopes_of(counts.meeting_id, venue_id, booth_id, host_of[venue_id]), kind, quantity)


def _count_distinct_visitors(counts: MeetingCounts) -> None:
    """People, not scans, in each scope: one grouped count per kind of scope."""
    scan, meeting_id = Scan, counts.meeting_id
    distinct = func.count(scan.visitor_key.distinct())
    in_meeting = select(distinct).where(scan.meeting_id == meeting_id)
    counts.values[("meeting", meeting_id)]["visitors"] = db.session.execute(in_meeting).scalar_one()
    by_scope = {
        "venue": select(scan.venue_id, distinct).group_by(scan.venue_id),
        "booth": select(scan.booth_id, distinct).where(scan.booth_id.is_not(None)).group_by(scan.booth_id),
        "org": select(Venue.host_org_id, distinct).join(Venue, Venue.id == scan.venue_id).group_by(Venue.host_org_id),
    }
    for scope, grouped in by_scope.items():
        for scope_id, visitors in db.session.execute(grouped.where(scan.meeting_id == meeting_id)):
            counts.values[(scope, scope_id)]["visitors"] = visitors


def walk_meeting(meeting_id: int) -> MeetingCounts:
    """A meeting's counters with what a rebuild writes beside them: every scope's visitor keys and every
    event's key. Each statement's rows give both, so a join committed during the walk is in both or neither.
    """
    counts = MeetingCounts(meeting_id)
    host_of = _hosts_of_venues(meeting_id)
    _walk_scans(counts, host_of)
    _walk_applications(counts)
    _walk_cards(counts)
    _walk_tallies(counts, host_of)
    counts.recent = recent_joins(meeting_id)
    return counts


def _hosts_of_venues(meeting_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(Venue.id, Venue.host_org_id).where(Venue.meeting_id == meeting_id)).all())


def _add_applications(counts: MeetingCounts, scopes: list[Scope], status: ApplicationStatus, number: int) -> None:
    if status is not ApplicationStatus.WITHDRAWN:
        counts.add(scopes, "joins", number)
    if status is ApplicationStatus.APPROVED:
        counts.add(scopes, "approved", number)


def _add_tallies(counts: MeetingCounts, scopes: list[Scope], kind: TallyKind, quantity: int) -> None:
    for metric in TALLY_METRICS[kind.value]:
        counts.add(scopes, metric, quantity)


def _walk_scans(counts: MeetingCounts, host_of: dict[int, int]) -> None:
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


def _walk_applications(counts: MeetingCounts) -> None:
    application = MembershipApplication
    rows = db.session.execute(
        select(
            application.id, application.venue_id, application.booth_id, application.host_org_id,
            application.status, application.submitted_at,
        ).where(application.meeting_id == counts.meeting_id)
    )
    for app_id, venue_id, booth_id, org_id, status, submitted_at in in_turns(rows):
        _add_applications(counts, scopes_of(counts.meeting_id, venue_id, booth_id, org_id), status, 1)
        counts.event_keys.append(f"application:{app_id}")
        if status is ApplicationStatus.WITHDRAWN:
            counts.event_keys.append(f"application:{app_id}:withdrawn")
        else:
            counts.joins_by_minute[minute_of(submitted_at)] += 1
        if status is ApplicationStatus.APPROVED:
            counts.event_keys.append(f"application:{app_id}:approved")


def _walk_cards(counts: MeetingCounts) -> None:
    card = MutualAidCardApplication
    rows = db.session.execute(
        select(card.id, card.venue_id, card.booth_id, card.host_org_id).where(card.meeting_id == counts.meeting_id)
    )
    for card_id, venue_id, booth_id, org_id in in_turns(rows):
        counts.add(scopes_of(counts.meeting_id, venue_id, booth_id, org_id), "cards", 1)
        counts.event_keys.append(f"card:{card_id}")


def _walk_tallies(counts: MeetingCounts, host_of: dict[int, int]) -> None:
    rows = db.session.execute(
        select(Tally.id, Tally.venue_id, Tally.booth_id, Tally.kind, Tally.quantity).where(
            Tally.meeting_id == counts.meeting_id
        )
    )
    for tally_id, venue_id, booth_id, kind, quantity in in_turns(rows):
        _add_tallies(counts, scopes_of(counts.meeting_id, venue_id, booth_id, host_of[venue_id]), kind, quantity)
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

