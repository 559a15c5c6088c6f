"""The district overview: meetings held, joins and new unions by month, day summaries, ledger KPIs vs targets.

KPI definitions (docs/decisions.md):
  建会率 = firms with 25+ employees that have a union / firms with 25+ employees
  入会率 = members / employees, over firms that have a union
  新就业形态入会率 = new-form members / new-form workers, over every firm in the ledger
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.models import (
    ApplicationStatus,
    Enterprise,
    Meeting,
    MeetingStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Org,
    Tally,
    User,
    Venue,
)
from app.models.ledger import UNION_REQUIRED_EMPLOYEES
from app.services import access
from app.services.live import reports
from app.services.live.intake_sql import METRICS, TALLY_METRICS
from app.services.local_time import SHANGHAI, now_in_shanghai
from app.services.setup import meetings

RECENT_SUMMARIES = 20


@dataclass
class Rate:
    label: str
    numerator: int
    denominator: int
    target: int  # percent

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator * 100) / self.denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def meets_target(self) -> bool:
        # Exact integer comparison: 94.96 % must not round up into meeting a 95 % target.
        return self.denominator > 0 and self.numerator * 100 >= self.target * self.denominator


@dataclass
class TownKpis:
    name: str
    founding: Rate
    membership: Rate
    new_form: Rate


@dataclass
class Overview:
    year: int
    kpis: list[TownKpis]
    district: TownKpis
    meetings_by_town: dict[str, Counter]
    meetings_total: Counter  # each meeting once, however many towns hosted a venue of it
    new_members_by_month: list[int]
    new_unions_by_month: list[int]
    day_lines: list["DayLine"]
    years: list[int]  # to pick from, latest first


def district_overview(user: User, year: int | None = None) -> Overview:
    """Everything the district overview page shows, for one calendar year of meetings and joins."""
    access.require(access.can_read_district(user))
    year = year or now_in_shanghai().year
    kpis = ledger_kpis()
    return Overview(
        year=year,
        kpis=[k for k in kpis if k.name],
        district=next(k for k in kpis if not k.name),
        meetings_by_town=meetings_by_town(year),
        meetings_total=meetings_total(year),
        new_members_by_month=new_members_by_month(year),
        new_unions_by_month=new_unions_by_month(year),
        day_lines=day_lines(year),
        years=sorted({year, *meetings.meeting_years(user)}, reverse=True),
    )


def ledger_kpis() -> list[TownKpis]:
    """Per town (ledger order) plus the district total (name "")."""
    required = Enterprise.employees >= UNION_REQUIRED_EMPLOYEES
    sums = (
        func.count(case((required, 1))),
        func.count(case((required & Enterprise.has_union, 1))),
        func.coalesce(func.sum(case((Enterprise.has_union, Enterprise.employees), else_=0)), 0),
        func.coalesce(func.sum(case((Enterprise.has_union, Enterprise.members), else_=0)), 0),
        func.coalesce(func.sum(Enterprise.new_form_workers), 0),
        func.coalesce(func.sum(Enterprise.new_form_members), 0),
    )
    per_town = db.session.execute(
        select(Org.name, *sums).join(Enterprise, Enterprise.town_org_id == Org.id)
        .group_by(Org.id, Org.name, Org.sort_order).order_by(Org.sort_order)
    ).all()
    total = db.session.execute(select(*sums)).one()
    return [town_kpis(row[0], row[1:]) for row in per_town] + [town_kpis("", tuple(total))]


def town_kpis(name: str, sums) -> TownKpis:
    required, founded, employees, members, new_form_workers, new_form_members = (int(v or 0) for v in sums)
    config = current_app.config
    return TownKpis(
        name=name,
        founding=Rate("建会率", founded, required, config["KPI_TARGET_FOUNDING"]),
        membership=Rate("入会率", members, employees, config["KPI_TARGET_MEMBERSHIP"]),
        new_form=Rate("新就业形态入会率", new_form_members, new_form_workers, config["KPI_TARGET_NEW_FORM"]),
    )


def meetings_by_town(year: int) -> dict[str, Counter]:
    """Meetings held (opened, not drafts) per hosting town, by kind label."""
    rows = db.session.execute(
        select(Org.name, Meeting.kind, func.count(func.distinct(Meeting.id)))
        .join(Venue, Venue.meeting_id == Meeting.id)
        .join(Org, Venue.host_org_id == Org.id)
        .where(*held_in(year))
        .group_by(Org.name, Org.sort_order, Meeting.kind)
        .order_by(Org.sort_order)
    ).all()
    table: dict[str, Counter] = {}
    for town, kind, count in rows:
        table.setdefault(town, Counter())[kind.value] += count
    return table


def meetings_total(year: int) -> Counter:
    rows = db.session.execute(select(Meeting.kind, func.count(Meeting.id)).where(*held_in(year)).group_by(Meeting.kind))
    return Counter({kind.value: count for kind, count in rows})


def held_in(year: int) -> tuple:
    """Meetings that took place (opened, not drafts) in the calendar year."""
    return Meeting.status != MeetingStatus.DRAFT, Meeting.held_on.between(date(year, 1, 1), date(year, 12, 31))


def recent_meetings(year: int) -> list[Meeting]:
    """The year's latest meetings that took place, a page of them."""
    query = (
        select(Meeting)
        .where(*held_in(year))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(RECENT_SUMMARIES)
    )
    return list(db.session.scalars(query))


@dataclass
class DayLine:
    meeting: Meeting
    sentence: str  # the day summary's sentence (reports.day_summary's total), from grouped counts


def day_lines(year: int) -> list[DayLine]:
    """The sentence of each recent meeting, counted for all of them at once (three grouped queries)."""
    meetings = recent_meetings(year)
    values = {meeting.id: Counter() for meeting in meetings}
    tallies = db.session.execute(
        select(Tally.meeting_id, Tally.kind, func.sum(Tally.quantity))
        .where(Tally.meeting_id.in_(values)).group_by(Tally.meeting_id, Tally.kind)
    )
    for meeting_id, kind, quantity in tallies:
        for metric in TALLY_METRICS[kind.value]:
            values[meeting_id][metric] += int(quantity)
    for metric, model, *where in (
        ("joins", MembershipApplication, MembershipApplication.status != ApplicationStatus.WITHDRAWN),
        ("cards", MutualAidCardApplication),
    ):
        counted = select(model.meeting_id, func.count()).where(model.meeting_id.in_(values), *where)
        for meeting_id, number in db.session.execute(counted.group_by(model.meeting_id)):
            values[meeting_id][metric] = number
    return [DayLine(meeting, reports.summary_sentence(
        {metric: values[meeting.id][metric] for metric in METRICS})) for meeting in meetings]


def new_members_by_month(year: int) -> list[int]:
    """Approvals per Beijing month of the year, January first, counted in the database."""
    return monthly_counts(MembershipApplication.decided_at, beijing_month_starts(year),
                          MembershipApplication.status == ApplicationStatus.APPROVED)


def new_unions_by_month(year: int) -> list[int]:
    return monthly_counts(Enterprise.union_founded_on, [date(year, month, 1) for month in range(1, 13)]
                          + [date(year + 1, 1, 1)])


def beijing_month_starts(year: int) -> list[datetime]:
    """The first instants of the year's twelve Beijing months and of the next year, in UTC (as stored)."""
    starts = [datetime(year, month, 1, tzinfo=SHANGHAI) for month in range(1, 13)]
    return [start.astimezone(UTC) for start in [*starts, datetime(year + 1, 1, 1, tzinfo=SHANGHAI)]]


def monthly_counts(column, bounds: list, *where) -> list[int]:
    """Rows per month between 13 month bounds: one range read on the column's index, twelve counts."""
    months = [func.count(case((and_(column >= start, column < end), 1)))
              for start, end in zip(bounds[:-1], bounds[1:], strict=True)]
    row = db.session.execute(select(*months).where(column >= bounds[0], column < bounds[12], *where)).one()
    return [int(number) for number in row]
