"""A year of back-office history in a few bulk statements: ledger firms with contacts, meetings with venues,
approvals and audit rows, for tests of the lists' shape (SPEC §9: nothing a page does grows with history).

Each helper takes a count and a start number, so a test seeds 1× and then three times as much again.
"""

import html
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models import (
    ApplicationStatus,
    AuditLog,
    ContactRecord,
    Enterprise,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MembershipApplication,
    Org,
    User,
    Venue,
    VenueRole,
)

NEXT = re.compile(r'rel="next" href="([^"]+)"')
PREVIOUS = re.compile(r'rel="prev" href="([^"]+)"')
CONTACTS_PER_FIRM = 3
AUDIT_ACTIONS = ("pii.reveal", "export.applications", "application.approve")


def credit_code(n: int) -> str:
    """18 characters, unique per n (the ledger stores codes as typed; the check digit is the forms' concern)."""
    return f"91110113MA{n:08d}"


def seed_firms(town: Org, count: int, start: int = 0) -> list[int]:
    """`count` firms of the town named 顺义企业NNNN (every other one 30 employees without a union, so on the
    应建未建 list), each with CONTACTS_PER_FIRM contacts."""
    firms = [{"name": f"顺义企业{n:04d}", "credit_code": credit_code(n), "town_org_id": town.id,
              "employees": 30 if n % 2 else 10, "members": 0, "has_union": False, "new_form_workers": 0,
              "new_form_members": 0} for n in range(start, start + count)]
    ids = db.session.scalars(insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True), firms).all()
    contacts = [{"enterprise_id": firm_id, "contacted_on": date(2026, 1, 1) + timedelta(days=n * 7 + visit),
                 "kind": "visit", "outcome": f"第{visit + 1}次走访", "note": ""}
                for n, firm_id in enumerate(ids) for visit in range(CONTACTS_PER_FIRM)]
    db.session.execute(insert(ContactRecord), contacts)
    db.session.commit()
    return list(ids)


def seed_meetings(count: int, start: int = 0, year: int = 2026) -> list[int]:
    """`count` closed meetings of the year titled 沟通会NNNN, organised in turn by 仁和镇, 天竺镇 and the district,
    each with a main venue at 仁和镇 and a sub-venue at the organiser's town (天竺镇 for the district's)."""
    renhe, tianzhu, district = (org_id(name) for name in ("仁和镇", "天竺镇", "顺义区总工会"))
    organisers = (renhe, tianzhu, district)
    rows = [{"title": f"沟通会{n:04d}", "held_on": date(year, 1, 1) + timedelta(days=n % 360),
             "kind": MeetingKind.TOWN, "status": MeetingStatus.CLOSED, "organiser_org_id": organisers[n % 3]}
            for n in range(start, start + count)]
    ids = db.session.scalars(insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True), rows).all()
    venues = []
    for n, meeting_id in zip(range(start, start + count), ids, strict=True):
        second = tianzhu if organisers[n % 3] != renhe else renhe
        venues += [venue(meeting_id, VenueRole.MAIN, renhe, "主会场"),
                   venue(meeting_id, VenueRole.SUB, second, "分会场")]
    db.session.execute(insert(Venue), venues)
    db.session.commit()
    return list(ids)


def venue(meeting_id: int, role: VenueRole, host_org_id: int, name: str) -> dict:
    return {"meeting_id": meeting_id, "role": role, "host_org_id": host_org_id, "name": name, "place_name": name,
            "address": ""}


def seed_approvals(venue: Venue, decided: list[datetime]) -> None:
    """One approved application per moment (PII already purged, as a year-old one may be)."""
    rows = [{"meeting_id": venue.meeting_id, "venue_id": venue.id, "host_org_id": venue.host_org_id,
             "status": ApplicationStatus.APPROVED, "consent": True, "consent_version": "2026-11",
             "submitted_at": moment, "decided_at": moment} for moment in decided]
    db.session.execute(insert(MembershipApplication), rows)
    db.session.commit()


def seed_audit_rows(count: int, start: int = 0) -> None:
    """`count` audit rows by every demo account in turn, an hour apart from 2026-01-01 (UTC) on."""
    users = db.session.scalars(select(User.id).order_by(User.id)).all()
    first = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"user_id": users[n % len(users)], "action": AUDIT_ACTIONS[n % len(AUDIT_ACTIONS)],
             "target_type": "membership_application", "target_id": n, "detail": {"rows": n},
             "created_at": first + timedelta(hours=n)} for n in range(start, start + count)]
    db.session.execute(insert(AuditLog), rows)
    db.session.commit()


def org_id(name: str) -> int:
    return db.session.scalar(select(Org.id).where(Org.name == name))


def walk(session, url: str, item: re.Pattern, link: re.Pattern = NEXT) -> tuple[list[list[str]], str]:
    """The items on each page from `url` on, following the pager's 下一页 (or `link`) to its end; and the URL
    of the page it ended on."""
    pages = []
    while True:
        response = session.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages.append(item.findall(response.text))
        following = link.search(response.text)
        if following is None:
            return pages, url
        url = html.unescape(following.group(1))
