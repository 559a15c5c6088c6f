"""Counters come back from SQL: after a FLUSHALL, and after Redis was down while workers kept joining.

These run on a redis-server of the test's own, so stopping or flushing it never touches the shared one.
"""

import time

import pytest

from app.extensions import redis_handle
from app.models import TallyKind
from app.services.live import intake_counters
from tests.factories import make_application
from tests.intake_fixtures import counter_values, record_scan, record_tally_row, serve_scaled, sql_values


@pytest.fixture
def app_settings(app_settings, own_redis):
    return {**app_settings, "REDIS_URL": own_redis.url, "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture
def venue(seeded):
    return seeded.meeting.venues[0]


def submit_join(venue, name, booth=None):
    application = make_application(venue, name=name, booth_id=booth.id if booth else None)
    intake_counters.application_submitted(application)
    return application


def test_flushall_mid_meeting_then_rebuild_gives_the_sql_counts(venue):
    join_booth = venue.booths[1]
    for name in ["张一", "张二", "张三"]:
        submit_join(venue, name, join_booth)
    record_scan(venue, visitor_key="worker-a")
    record_tally_row(venue.booths[0], TallyKind.MATERIALS, 12)
    redis_handle.client.flushall()
    submit_join(venue, "张四")  # arrives while the counters are gone

    intake_counters.rebuild(venue.meeting_id)

    counts = intake_counters.meeting_counts(venue.meeting_id)
    for scope, scope_id in [("meeting", venue.meeting_id), ("venue", venue.id), ("booth", join_booth.id),
                            ("org", venue.host_org_id)]:
        assert counts.values_of(scope, scope_id) == sql_values(venue.meeting_id, scope, scope_id)
    assert counts.values_of("meeting", venue.meeting_id)["joins"] == 4
    assert redis_handle.client.exists(f"intake:{venue.meeting_id}:meeting:{venue.meeting_id}")


def test_joins_while_redis_is_down_still_succeed_and_are_counted_once_it_returns(
    venue, own_redis, mp_worker, join_form
):
    assert mp_worker("li1").join(join_form(name="李一")).status_code == 201
    own_redis.stop()

    statuses = [mp_worker(f"li{n}").join(join_form(name="李二")).status_code for n in range(2, 5)]

    assert statuses == [201, 201, 201]
    own_redis.start()
    assert counter_values(venue.meeting_id)["joins"] == 4
    assert counter_values(venue.meeting_id, "venue", venue.id)["joins"] == 4


def test_the_open_meetings_are_reconciled_once_per_period_across_the_deployment(venue):
    submit_join(venue, "赵一")
    make_application(venue, name="赵二")  # committed, never counted: its worker died before the count

    assert intake_counters.reconcile_open_meetings(period=30) == 1
    assert counter_values(venue.meeting_id)["joins"] == 2
    make_application(venue, name="赵三")
    assert intake_counters.reconcile_open_meetings(period=30) == 0  # another process claimed this period


@pytest.fixture
def served_scaled(app, own_redis, migrated_database_url):
    """Two gunicorn workers on the test's database and Redis, repairing every 2 s."""
    with serve_scaled(app, migrated_database_url, own_redis.url, {"INTAKE_RECONCILE_SECONDS": "2"}) as port:
        yield port


@pytest.mark.scaled_only
def test_a_lost_count_heals_within_a_minute_with_no_screen_open_and_no_command_typed(venue, served_scaled):
    submit_join(venue, "钱一")
    make_application(venue, name="钱二")  # committed, never counted
    joins = f"intake:{venue.meeting_id}:meeting:{venue.meeting_id}"

    deadline = time.monotonic() + 60
    while redis_handle.client.hget(joins, "joins") != b"2" and time.monotonic() < deadline:
        time.sleep(0.5)

    assert redis_handle.client.hget(joins, "joins") == b"2"
