"""The day summary reads exactly as the union reports it, per meeting and per venue, and as an Excel sheet."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import TallyKind, User
from app.services.live import reports
from tests.intake_fixtures import bulk_joins, record_tally_row

SHUNYI_DAY = "发放宣传材料2154份，接待咨询职工1434人（其中法律咨询434人），现场扫码入会483人，办理互助服务卡291张"


@pytest.fixture
def shunyi_day(seeded):
    """A day whose rows add up to the union's reported result, spread over two venues."""
    main, sub = seeded.meeting.venues[0], seeded.meeting.venues[1]
    general, legal = main.booths[0], main.booths[2]
    record_tally_row(general, TallyKind.MATERIALS, 2000)
    record_tally_row(sub.booths[0], TallyKind.MATERIALS, 154)
    record_tally_row(general, TallyKind.CONSULTATION, 1000)
    record_tally_row(legal, TallyKind.LEGAL, 434)
    bulk_joins(main, 400, cards=250, booth=main.booths[1])
    bulk_joins(sub, 83, cards=41)
    return seeded.meeting


def test_the_summary_sentence_reads_exactly_as_the_union_reports_it(shunyi_day):
    summary = reports.day_summary(shunyi_day)

    assert summary.total.sentence == SHUNYI_DAY
    main, sub = summary.venues[:2]
    assert main.sentence == (
        "发放宣传材料2000份，接待咨询职工1434人（其中法律咨询434人），现场扫码入会400人，办理互助服务卡250张"
    )
    assert sub.sentence == "发放宣传材料154份，接待咨询职工0人，现场扫码入会83人，办理互助服务卡41张"


def test_the_excel_sheet_has_the_sentence_and_one_row_per_venue_and_booth(shunyi_day):
    district = db.session.scalar(select(User).where(User.username == "district"))
    sheet = load_workbook(io.BytesIO(b"".join(reports.summary_workbook(district, shunyi_day).chunks))).active

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == SHUNYI_DAY
    header, data = rows[3], rows[4:]
    venue_count = len(shunyi_day.venues)
    booth_count = sum(len(v.booths) for v in shunyi_day.venues)
    assert len(data) == 1 + venue_count + booth_count
    joins = header.index("现场扫码入会（人）")
    assert [row[joins] for row in data if row[0] == "会场"][:2] == [400, 83]
    assert data[0][joins] == 483
    legal = header.index("其中法律咨询（人）")
    assert (data[0][legal], data[0][header.index("接待咨询职工（人）")]) == (434, 1434)
