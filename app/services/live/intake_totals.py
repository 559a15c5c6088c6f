"""The totals snapshot of a meeting (SPEC §6): per venue, booth and host org, as the screens and the API see it."""

import hashlib
import json
from datetime import UTC, datetime

from app.models import Meeting
from app.services.live import intake_counters


def meeting_totals(meeting: Meeting) -> dict:
    """Every counter of the meeting with the names a screen needs; `as_of` says when it was read."""
    counts = intake_counters.meeting_counts(meeting.id)
    orgs = {venue.host_org.id: venue.host_org for venue in meeting.venues}
    return {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "status": meeting.status.value,
            "values": counts.values_of("meeting", meeting.id),
        },
        "venues": [
            {
                "id": venue.id,
                "place_name": venue.place_name,
                "role": venue.role.value,
                "role_label": venue.role_label,
                "host_org_id": venue.host_org_id,
                "values": counts.values_of("venue", venue.id),
                "booths": [
                    {"id": booth.id, "name": booth.name, "kind": booth.kind.value,
                     "values": counts.values_of("booth", booth.id)}
                    for booth in venue.booths
                ],
            }
            for venue in meeting.venues
        ],
        "orgs": [
            {"id": org.id, "name": org.name, "values": counts.values_of("org", org.id)}
            for org in sorted(orgs.values(), key=lambda org: org.sort_order)
        ],
        "joins_by_minute": [
            {"minute": minute, "joins": joins} for minute, joins in sorted(counts.joins_by_minute.items()) if joins
        ],
        "recent_joins": counts.recent,
        "seq": counts.seq,
        "as_of": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def meeting_values(meeting: Meeting) -> dict[str, int]:
    """The meeting-wide counters alone (the meeting page's live strip starts from them)."""
    return intake_counters.meeting_counts(meeting.id).values_of("meeting", meeting.id)


def etag_of(totals: dict) -> str:
    """A validator of the counters alone: unchanged numbers give the same ETag whatever `as_of` says."""
    body = json.dumps({k: v for k, v in totals.items() if k not in ("as_of", "seq")}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:32]
