"""A worker opens an entry code: the scan is recorded and they see where they are and what they can do."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import EntryCode, MembershipApplication, MutualAidCardApplication, Scan, Worker
from app.models.base import utcnow
from app.services import privacy
from app.services.intake import cards, enrolment
from app.services.intake.form_options import form_options
from app.services.live import intake_counters
from app.services.setup import entry_codes

SCAN_REPEAT_WINDOW = timedelta(minutes=10)


@dataclass
class EntryVisit:
    entry_code: EntryCode
    membership: MembershipApplication | None
    card: MutualAidCardApplication | None

    @property
    def actions(self) -> list[str]:
        """What the worker may still do here: join without a live application, then the card if it is open to them."""
        if self.membership is None:
            return ["join"]
        return ["card"] if self.card_eligibility.available else []

    @property
    def card_eligibility(self) -> cards.CardEligibility:
        return cards.eligibility(self.membership, self.card)

    @property
    def form_options(self) -> dict:
        return form_options()


def open_entry(worker: Worker, code: str) -> EntryVisit:
    """Record the scan of an active entry code (404 revoked/unknown, 410 meeting not open)."""
    entry_code = entry_codes.resolve(code)
    if not scanned_recently(worker.id, entry_code.id):
        record_scan(worker, entry_code)
    membership = enrolment.live_application_of(worker)
    # Only the worker's own rows: the same ID number under another account stays out of sight.
    return EntryVisit(entry_code, membership, cards.current_card_of(worker))


def scanned_recently(worker_id: int, entry_code_id: int) -> bool:
    """A re-scan or a reload within SCAN_REPEAT_WINDOW is the same visit, so one phone cannot inflate scans."""
    since = utcnow() - SCAN_REPEAT_WINDOW
    recent = select(Scan.id).where(
        Scan.worker_id == worker_id, Scan.entry_code_id == entry_code_id, Scan.scanned_at >= since
    )
    return db.session.scalar(recent.limit(1)) is not None


def record_scan(worker: Worker, entry_code: EntryCode) -> None:
    scan = Scan(
        worker_id=worker.id,
        entry_code_id=entry_code.id,
        meeting_id=entry_code.meeting_id,
        venue_id=entry_code.venue_id,
        booth_id=entry_code.booth_id,
        visitor_key=visitor_key(entry_code.meeting_id, worker.id),
    )
    db.session.add(scan)
    db.session.commit()
    intake_counters.scan_recorded(scan)


def visitor_key(meeting_id: int, worker_id: int) -> str:
    # Keyed so that unique visitors still count after the retention purge unlinks the worker.
    return privacy.blind_index(f"visitor:{meeting_id}:{worker_id}")

