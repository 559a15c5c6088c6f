"""The day summary in the union's own words, per meeting and per venue, and its Excel sheet.

Reports count the SQL rows directly: they are what the union signs off, so they never read a cache.
"""

from dataclasses import dataclass

from app.extensions import db
from app.models import Meeting, User
from app.services import access, audit, xlsx
from app.services.live.intake_sql import count_meeting
from app.services.xlsx import ExportFile, Sheet

SENTENCE = (
    "发放宣传材料{materials}份，接待咨询职工{consultations}人{legal_part}，现场扫码入会{joins}人，办理互助服务卡{cards}张"
)
LEGAL_PART = "（其中法律咨询{legal}人）"
COLUMNS = [
    ("visitors", "扫码职工（人）"),
    ("scans", "扫码次数"),
    ("materials", "发放宣传材料（份）"),
    ("consultations", "接待咨询职工（人）"),
    ("legal", "其中法律咨询（人）"),
    ("joins", "现场扫码入会（人）"),
    ("cards", "办理互助服务卡（张）"),
    ("union_intents", "建会意向（家）"),
    ("approved", "已审核入会（人）"),
]


def summary_sentence(values: dict[str, int]) -> str:
    """"发放宣传材料X份，接待咨询职工X人，现场扫码入会X人，办理互助服务卡X张" for one set of counters.

    Legal advice is part of 接待咨询 and named in brackets when there was any, as the union writes a subtotal.
    """
    legal_part = LEGAL_PART.format(**values) if values.get("legal") else ""
    return SENTENCE.format(legal_part=legal_part, **values)


@dataclass
class SummaryRow:
    level: str
    town: str
    venue: str
    booth: str
    values: dict[str, int]

    @property
    def sentence(self) -> str:
        return summary_sentence(self.values)


@dataclass
class DaySummary:
    meeting: Meeting
    total: SummaryRow
    venues: list[SummaryRow]
    rows: list[SummaryRow]  # the meeting, then each venue followed by its booths


def day_summary(meeting: Meeting) -> DaySummary:
    """The meeting's numbers per venue and booth, counted from the rows."""
    counts = count_meeting(meeting.id)
    total = SummaryRow("全场", "", "合计", "", counts.values_of("meeting", meeting.id))
    rows, venues = [total], []
    for venue in meeting.venues:
        name = f"{venue.role_label}·{venue.place_name}"
        venue_row = SummaryRow("会场", venue.host_org.name, name, "", counts.values_of("venue", venue.id))
        venues.append(venue_row)
        rows.append(venue_row)
        rows += [
            SummaryRow("岗位", venue.host_org.name, name, booth.name, counts.values_of("booth", booth.id))
            for booth in venue.booths
        ]
    return DaySummary(meeting, total, venues, rows)


def summary_workbook(user: User, meeting: Meeting, ip: str | None = None) -> ExportFile:
    """The day summary as an .xlsx: the sentence on top, then one row per venue and per booth (audited)."""
    access.require(access.can_view_summary(user))
    summary = day_summary(meeting)
    audit.record(user, "summary_export", "meeting", meeting.id, {"rows": len(summary.rows)}, ip)
    db.session.commit()
    sheet = Sheet(
        "沟通会日报",
        ["层级", "镇街", "会场", "岗位", *[label for _key, label in COLUMNS], "汇总"],
        heading=[f"{meeting.title}（{meeting.held_on.isoformat()}）", summary.total.sentence, ""],
        widths=[6, 12, 36, 14],
    )
    rows = [[row.level, row.town, row.venue, row.booth, *[row.values[key] for key, _ in COLUMNS], row.sentence]
            for row in summary.rows]
    filename = f"{meeting.title}-{meeting.held_on.isoformat()}-日报.xlsx"
    return ExportFile(filename, xlsx.stream(sheet, rows, len(rows)), len(rows))
