"""Intake counters (SPEC §6): visitors, scans, materials, consultations and legal advice among them, joins,
cards, union intents, approved.

Counted per booth, venue, host org and meeting. The SQL rows are the truth and counters are a view of them:
embedded mode reads SQL aggregates (intake_sql), scaled mode keeps Redis hashes (intake_counters_redis).
Intake services report an event right after their commit. Reporting never raises, because a join must
succeed even when Redis is down; the lost increment is repaired from SQL by a rebuild or the reconcile.
"""

import logging
import threading
import time
from dataclasses import dataclass

from redis import RedisError
from sqlalchemy import select

from app import metrics, outage_log
from app.extensions import db, redis_handle
from app.models import Meeting, MeetingStatus, MembershipApplication, MutualAidCardApplication, Scan, Tally, Venue
from app.services.live import live
from app.services.live.intake_sql import TALLY_METRICS, MeetingCounts, count_meeting, joined_entry, minute_of, scopes_of

log = logging.getLogger(__name__)

_repair_loop_started = False


@dataclass
class IntakeEvent:
    """One committed intake fact: the scopes it counts in, and a key that makes it count once."""

    key: str
    meeting_id: int
    scopes: list[tuple[str, int]]
    increments: dict[str, int]
    visitor_key: str | None = None
    minute: str | None = None
    joined: dict | None = None


def scan_recorded(scan: Scan) -> None:
    """Count a committed scan, and its visitor once per scope."""
    _report(lambda: IntakeEvent(
        f"scan:{scan.id}", scan.meeting_id,
        scopes_of(scan.meeting_id, scan.venue_id, scan.booth_id, _host_org_id(scan.venue_id)),
        {"scans": 1}, visitor_key=scan.visitor_key,
    ))


def application_submitted(application: MembershipApplication) -> None:
    """Count a newly committed membership application as a join (a resubmission is not a new join)."""
    metrics.JOINS.inc()
    _report(lambda: _application_event(
        application, "", {"joins": 1},
        joined=joined_entry(application.name_enc, application.venue_id, application.submitted_at),
    ))


def application_withdrawn(application: MembershipApplication) -> None:
    """Take a withdrawn application off the joins."""
    _report(lambda: _application_event(application, ":withdrawn", {"joins": -1}))


def application_approved(application: MembershipApplication) -> None:
    """Count an approval."""
    _report(lambda: _application_event(application, ":approved", {"approved": 1}))


def card_applied(card: MutualAidCardApplication) -> None:
    """Count a committed mutual-aid card application."""
    _report(lambda: IntakeEvent(
        f"card:{card.id}", card.meeting_id,
        scopes_of(card.meeting_id, card.venue_id, card.booth_id, card.host_org_id), {"cards": 1},
    ))


def tally_recorded(tally: Tally) -> None:
    """Count a committed booth tally: materials by quantity, people by head; an undo counts negative."""
    _report(lambda: IntakeEvent(
        f"tally:{tally.id}", tally.meeting_id,
        scopes_of(tally.meeting_id, tally.venue_id, tally.booth_id, _host_org_id(tally.venue_id)),
        {metric: tally.quantity for metric in TALLY_METRICS[tally.kind.value]},
    ))


def meeting_counts(meeting_id: int) -> MeetingCounts:
    """Current counters of every scope of a meeting: Redis when scaled (SQL if Redis is down), else SQL."""
    backend = _redis_backend()
    if backend is not None:
        try:
            counts = backend.read(meeting_id)
        except RedisError as exc:  # a dead Redis must not take the big screen down
            outage_log.redis.failed("reading the counters of meeting %s from Redis failed; counting SQL",
                                    meeting_id, exc_info=exc)
        except Exception:  # noqa: BLE001 — nor anything else the read may raise
            log.exception("reading the counters of meeting %s from Redis failed; counting SQL", meeting_id)
        else:
            outage_log.redis.answered()
            return counts
    return count_meeting(meeting_id, with_recent=True)


def rebuild(meeting_id: int) -> None:
    """Recompute every counter of a meeting from SQL (scaled mode; embedded mode has nothing to rebuild)."""
    backend = _redis_backend()
    if backend is not None:
        backend.rebuild(meeting_id)


def reconcile(meeting_id: int) -> bool:
    """Compare Redis with SQL and rebuild on drift; True when a repair was needed."""
    backend = _redis_backend()
    return backend.reconcile(meeting_id) if backend is not None else False


def repair_stale() -> None:
    """Rebuild the meetings whose events this process could not count while Redis was unreachable."""
    backend = _redis_backend()
    if backend is not None:
        backend.rebuild_stale()


def meetings_to_recount(every_unarchived: bool = False) -> list[Meeting]:
    """The open meetings, whose counters move; every unarchived one (the year's closed ones too) when asked.

    A closed meeting's counters are built from SQL when first read after a Redis loss, so recounting the
    year's closed meetings by default would only spend minutes on counters nobody is watching.
    """
    wanted = (Meeting.status != MeetingStatus.ARCHIVED) if every_unarchived else (Meeting.status == MeetingStatus.OPEN)
    return list(db.session.scalars(select(Meeting).where(wanted).order_by(Meeting.id)))


def reconcile_open_meetings(period: int) -> int:
    """Reconcile every open meeting, in one process of the deployment per period; how many were repaired."""
    backend = _redis_backend()
    if backend is None or not backend.claim_reconcile(period):
        return 0
    return sum(backend.reconcile(meeting.id) for meeting in meetings_to_recount())


def start_repair_loop(app) -> None:
    """Start this process's repair loop once (scaled mode), so counters heal with no screen and no command.

    A worker killed between a join's commit and its count leaves the counters one short; every process runs
    this loop from its start (gunicorn's post_worker_init), one of them claims each period's reconcile.
    """
    global _repair_loop_started
    if app.extensions.get("redis_client") is None or app.config["INTAKE_RECONCILE_SECONDS"] <= 0:
        return
    if _repair_loop_started:
        return
    _repair_loop_started = True
    threading.Thread(target=_repair_forever, args=(app,), name="intake-repair", daemon=True).start()


def _repair_forever(app) -> None:
    period = app.config["INTAKE_RECONCILE_SECONDS"]
    while True:
        time.sleep(period)
        with app.app_context():
            try:
                repair_stale()
                reconcile_open_meetings(period)
            except Exception:  # noqa: BLE001 — try again next round; the loop must outlive a Redis outage
                log.exception("intake counter repair failed")
            finally:
                db.session.remove()


def _report(build_event) -> None:
    try:
        event = build_event()
        backend = _redis_backend()
        if backend is not None:
            backend.apply(event)
            outage_log.redis.answered()
        else:
            _announce_from_sql(event)
    except RedisError as exc:  # the intake is committed; a rebuild or the reconcile repairs counters
        metrics.BACKEND_ERRORS.labels("redis").inc()
        outage_log.redis.failed("intake counter update failed; the next rebuild/reconcile repairs it", exc_info=exc)
    except Exception:  # noqa: BLE001 — the same, for any other failure
        log.exception("intake counter update failed; the next rebuild/reconcile repairs it")


def _announce_from_sql(event: IntakeEvent) -> None:
    """Embedded mode: SQL is the counter; tell this process's live streams the new absolute values."""
    if not live.hub.is_watched(event.meeting_id):
        return  # nobody is watching: skip the recount (a batch approval would otherwise recount per row)
    counts = count_meeting(event.meeting_id)
    message = {"changes": [{"scope": s, "id": i, "values": counts.values_of(s, i)} for s, i in event.scopes]}
    if event.minute:
        message["minutes"] = {event.minute: counts.joins_by_minute.get(event.minute, 0)}
    if event.joined:
        message["joined"] = [event.joined]
    live.broadcast(event.meeting_id, message)


def _application_event(application: MembershipApplication, suffix: str, increments: dict, joined=None):
    scopes = scopes_of(application.meeting_id, application.venue_id, application.booth_id, application.host_org_id)
    minute = minute_of(application.submitted_at) if "joins" in increments else None
    return IntakeEvent(f"application:{application.id}{suffix}", application.meeting_id, scopes, increments,
                       minute=minute, joined=joined)


def _host_org_id(venue_id: int) -> int:
    return db.session.scalar(select(Venue.host_org_id).where(Venue.id == venue_id))


def _redis_backend():
    if not redis_handle.enabled:
        return None
    from app.services.live.intake_counters_redis import RedisCounters

    return RedisCounters(redis_handle.client)
