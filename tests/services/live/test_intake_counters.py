"""The intake counters: what booth, venue, town and meeting show, and that they always come back to SQL."""

import threading
import tracemalloc
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from app.extensions import db, redis_handle
from app.models import ApplicationStatus, TallyKind, Venue
from app.services.live import intake_counters, intake_sql
from tests.factories import make_application, make_card
from tests.intake_fixtures import bulk_joins, counter_values, record_scan, record_tally_row, sql_values


@pytest.fixture
def venue(seeded):
    return seeded.meeting.venues[0]


def submit_join(venue, name="张三丰", booth=None):
    application = make_application(venue, name=name, booth_id=booth.id if booth else None)
    intake_counters.application_submitted(application)
    return application


def test_a_join_counts_at_its_booth_venue_town_and_meeting(venue):
    join_booth = venue.booths[1]
    submit_join(venue, booth=join_booth)
    meeting_id = venue.meeting_id
    for scope, scope_id in [("meeting", meeting_id), ("venue", venue.id), ("org", venue.host_org_id),
                            ("booth", join_booth.id)]:
        assert counter_values(meeting_id, scope, scope_id)["joins"] == 1
    other_venue = venue.meeting.venues[1]
    assert counter_values(meeting_id, "venue", other_venue.id)["joins"] == 0


def test_a_withdrawal_takes_a_join_off_and_a_rejection_does_not(venue):
    withdrawn, rejected, approved = (submit_join(venue, name) for name in ["王五", "赵六", "钱七"])
    withdrawn.status = ApplicationStatus.WITHDRAWN
    rejected.status = ApplicationStatus.REJECTED
    approved.status = ApplicationStatus.APPROVED
    db.session.commit()
    intake_counters.application_withdrawn(withdrawn)
    intake_counters.application_approved(approved)

    values = counter_values(venue.meeting_id)
    assert (values["joins"], values["approved"]) == (2, 1)


def test_a_worker_scanning_twice_is_one_visitor_and_two_scans(venue):
    record_scan(venue, visitor_key="worker-a")
    record_scan(venue, venue.booths[0], visitor_key="worker-a")
    record_scan(venue, visitor_key="worker-b")

    assert counter_values(venue.meeting_id)["visitors"] == 2
    assert counter_values(venue.meeting_id)["scans"] == 3
    assert counter_values(venue.meeting_id, "booth", venue.booths[0].id)["visitors"] == 1


def test_tallies_count_materials_by_quantity_and_consultations_with_legal_advice_also_on_its_own(venue):
    general, legal = venue.booths[0], venue.booths[2]
    record_tally_row(general, TallyKind.MATERIALS, 30)
    record_tally_row(general, TallyKind.CONSULTATION)
    record_tally_row(legal, TallyKind.LEGAL)
    record_tally_row(general, TallyKind.UNION_INTENT)

    values = counter_values(venue.meeting_id)
    assert (values["materials"], values["consultations"], values["legal"], values["union_intents"]) == (30, 2, 1, 1)
    assert counter_values(venue.meeting_id, "booth", legal.id)["legal"] == 1
    assert counter_values(venue.meeting_id, "booth", general.id)["legal"] == 0


def test_a_card_application_counts_as_a_card(venue):
    make_card(submit_join(venue))
    intake_counters.card_applied(make_card(submit_join(venue, "孙八")))
    assert sql_values(venue.meeting_id)["cards"] == 2


def test_reporting_the_same_join_twice_counts_it_once(venue):
    application = submit_join(venue)
    intake_counters.application_submitted(application)
    assert counter_values(venue.meeting_id)["joins"] == 1


def test_counters_follow_the_sql_rows_even_when_no_event_was_reported(venue):
    make_application(venue, name="周九")  # committed, but its report was lost
    intake_counters.reconcile(venue.meeting_id)
    assert counter_values(venue.meeting_id)["joins"] == 1


@pytest.mark.scaled_only
def test_reconcile_repairs_a_drifted_redis_counter(venue):
    submit_join(venue)
    redis_handle.client.hincrby(f"intake:{venue.meeting_id}:meeting:{venue.meeting_id}", "joins", 5)

    assert intake_counters.reconcile(venue.meeting_id) is True
    assert counter_values(venue.meeting_id)["joins"] == 1
    assert intake_counters.reconcile(venue.meeting_id) is False



@pytest.mark.scaled_only
def test_joins_that_land_while_the_reconcile_counts_sql_are_not_drift(app, venue):
    """Under load Redis is a join or two ahead by the time it is read after the SQL count: no rebuild for that."""
    submit_join(venue)
    landed = []

    def join_from_another_phone():
        with app.app_context():
            landed.append(submit_join(db.session.get(Venue, venue.id), name=f"李{len(landed)}"))

    def a_join_lands_after_the_last_count(conn, cursor, statement, *args):
        if "FROM tallies" in statement and "GROUP BY" in statement:
            phone = threading.Thread(target=join_from_another_phone)
            phone.start()
            phone.join()

    engine = db.engine
    event.listen(engine, "after_cursor_execute", a_join_lands_after_the_last_count)
    try:
        repaired = intake_counters.reconcile(venue.meeting_id)
    finally:
        event.remove(engine, "after_cursor_execute", a_join_lands_after_the_last_count)

    assert landed and repaired is False
    assert counter_values(venue.meeting_id)["joins"] == sql_values(venue.meeting_id)["joins"] == 1 + len(landed)


def test_the_database_adds_up_what_a_walk_over_the_rows_counts(venue):
    """The reconcile's grouped counts and the rebuild's walk agree on every scope and every minute."""
    other_venue, (general, join_booth, legal) = venue.meeting.venues[1], venue.booths[:3]
    record_scan(venue, visitor_key="worker-a")
    record_scan(venue, general, visitor_key="worker-a")
    record_scan(venue, join_booth, visitor_key="worker-b")
    record_scan(other_venue, visitor_key="worker-a")
    before_ten, at_ten = datetime(2026, 12, 6, 1, 59, 30, tzinfo=UTC), datetime(2026, 12, 6, 2, 0, 10, tzinfo=UTC)
    for name, status, booth, moment in [("王五", ApplicationStatus.WITHDRAWN, join_booth, before_ten),
                                         ("赵六", ApplicationStatus.APPROVED, join_booth, before_ten),
                                         ("钱七", ApplicationStatus.REJECTED, None, at_ten),
                                         ("孙八", ApplicationStatus.SUBMITTED, join_booth, at_ten)]:
        application = make_application(venue, name=name, status=status, booth_id=booth and booth.id,
                                       submitted_at=moment)
    make_card(application)
    make_application(other_venue, name="周九", submitted_at=at_ten)
    record_tally_row(general, TallyKind.MATERIALS, 30)
    record_tally_row(legal, TallyKind.LEGAL, 2)
    record_tally_row(general, TallyKind.UNION_INTENT)

    summed, walked = intake_sql.count_meeting(venue.meeting_id), intake_sql.walk_meeting(venue.meeting_id)

    assert set(summed.values) == set(walked.values)
    assert all(summed.values_of(*scope) == walked.values_of(*scope) for scope in walked.values)
    assert summed.values_of("booth", join_booth.id)["visitors"] == 1
    assert summed.values_of("meeting", venue.meeting_id)["visitors"] == 2
    assert summed.joins_by_minute == walked.joins_by_minute == {"09:59": 1, "10:00": 3}  # in Shanghai


def test_counting_a_meeting_takes_no_more_memory_when_it_has_four_times_the_joins(venue):
    """The repair loop counts every open meeting every 20 s: what it holds must not grow with the meeting."""

    def peak_bytes_of_a_count() -> int:
        intake_sql.count_meeting(venue.meeting_id)  # compiled statements are cached on the first count
        tracemalloc.start()
        try:
            intake_sql.count_meeting(venue.meeting_id)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    bulk_joins(venue, 500)
    at_one = peak_bytes_of_a_count()
    bulk_joins(venue, 1500)
    at_four = peak_bytes_of_a_count()

    assert at_four - at_one < 16 * 1024
