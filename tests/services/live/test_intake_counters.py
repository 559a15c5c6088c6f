"""The intake counters: what booth, venue, town and meeting show, and that they always come back to SQL."""

import pytest

from app.extensions import db, redis_handle
from app.models import ApplicationStatus, TallyKind
from app.services.live import intake_counters
from tests.factories import make_application, make_card
from tests.intake_fixtures import counter_values, record_scan, record_tally_row, sql_values


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

