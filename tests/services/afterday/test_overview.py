"""The district overview counts in the database what it once counted row by row in Python, with the same figures:
approvals and new unions by Beijing month of the chosen year, and each recent meeting's day-summary sentence."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models import ApplicationStatus, Enterprise, MembershipApplication, Tally, TallyKind
from app.services.afterday import overview
from app.services.live import reports
from app.services.local_time import in_shanghai, now_in_shanghai
from tests.factories import account, make_application, make_card, make_enterprise, org_named
from tests.history import seed_approvals

# Instants around Beijing's month and year boundaries (UTC+8): 2025-12-31 16:30 UTC is 2026-01-01 00:30 there.
EDGES = [
    datetime(2025, 12, 31, 15, 59, 59, tzinfo=UTC),  # Beijing 2025-12-31 23:59:59
    datetime(2025, 12, 31, 16, 30, tzinfo=UTC),  # Beijing 2026-01-01 00:30
    datetime(2026, 1, 31, 15, 59, 59, 999999, tzinfo=UTC),  # Beijing 2026-01-31 23:59:59.999999
    datetime(2026, 1, 31, 16, 0, tzinfo=UTC),  # Beijing 2026-02-01 00:00
    datetime(2026, 12, 31, 15, 59, tzinfo=UTC),  # Beijing 2026-12-31 23:59
    datetime(2026, 12, 31, 16, 0, tzinfo=UTC),  # Beijing 2027-01-01 00:00
]


def months_counted_in_python(moments, year: int) -> list[int]:
    """What the overview computed before (reading every row): the golden figures."""
    months = [0] * 12
    for moment in moments:
        if moment is not None and moment.year == year:
            months[moment.month - 1] += 1
    return months


def old_new_members_by_month(year: int) -> list[int]:
    decided = db.session.scalars(select(MembershipApplication.decided_at)
                                 .where(MembershipApplication.status == ApplicationStatus.APPROVED))
    return months_counted_in_python((in_shanghai(moment) for moment in decided if moment is not None), year)


def old_new_unions_by_month(year: int) -> list[int]:
    return months_counted_in_python(db.session.scalars(select(Enterprise.union_founded_on)), year)


def seed_a_small_history(seeded) -> None:
    venue = seeded.meeting.venues[0]
    spread = [datetime(2025, 1, 1, 3, tzinfo=UTC) + timedelta(hours=n * 97) for n in range(220)]
    seed_approvals(venue, EDGES + spread)
    waiting = [{"meeting_id": venue.meeting_id, "venue_id": venue.id, "host_org_id": venue.host_org_id,
                "status": status, "consent": True, "consent_version": "2026-11", "decided_at": moment}
               for status, moment in ((ApplicationStatus.REJECTED, EDGES[1]), (ApplicationStatus.SUBMITTED, None))]
    db.session.execute(insert(MembershipApplication), waiting)
    renhe = org_named("仁和镇")
    for n, founded in enumerate([date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1),
                                 date(2026, 12, 31), date(2027, 1, 1), None]):
        make_enterprise(renhe, f"企业{n}", employees=30, has_union=founded is not None, union_founded_on=founded)
    db.session.commit()


def test_months_counted_in_the_database_equal_the_old_figures(seeded):
    seed_a_small_history(seeded)
    for year in (2025, 2026, 2027):
        result = overview.district_overview(account("district"), year)
        assert result.new_members_by_month == old_new_members_by_month(year), year
        assert result.new_unions_by_month == old_new_unions_by_month(year), year
    assert overview.district_overview(account("district"), 2026).new_unions_by_month == [2, 1] + [0] * 9 + [1]


def test_approvals_are_counted_in_the_beijing_month_they_were_made(seeded):
    seed_approvals(seeded.meeting.venues[0], EDGES)
    assert overview.district_overview(account("district"), 2025).new_members_by_month == [0] * 11 + [1]
    assert overview.district_overview(account("district"), 2026).new_members_by_month == [2, 1] + [0] * 9 + [1]
    assert overview.district_overview(account("district"), 2027).new_members_by_month == [1] + [0] * 11


def test_the_year_defaults_to_this_beijing_year(seeded):
    result = overview.district_overview(account("district"))
    assert result.year == now_in_shanghai().year and result.year in result.years


def test_each_recent_meetings_sentence_is_its_day_summarys(seeded):
    meeting = seeded.meeting
    venues = meeting.venues
    for n, venue in enumerate(venues[:3]):
        application = make_application(venue)
        make_card(application)
        make_application(venue, status=ApplicationStatus.WITHDRAWN if n else ApplicationStatus.APPROVED)
    booth = next(venue.booths[0] for venue in venues if venue.booths)
    taps = [(TallyKind.MATERIALS, 40), (TallyKind.CONSULTATION, 7), (TallyKind.LEGAL, 3), (TallyKind.UNION_INTENT, 2)]
    db.session.execute(insert(Tally), [
        {"idempotency_key": f"tap-{n}", "meeting_id": meeting.id, "venue_id": booth.venue_id, "booth_id": booth.id,
         "kind": kind, "quantity": quantity} for n, (kind, quantity) in enumerate(taps)])
    db.session.commit()

    lines = overview.district_overview(account("district"), meeting.held_on.year).day_lines
    assert [line.sentence for line in lines] == [reports.day_summary(meeting).total.sentence]
    assert lines[0].sentence == ("发放宣传材料40份，接待咨询职工10人（其中法律咨询3人），现场扫码入会4人，"
                                 "办理互助服务卡3张")
