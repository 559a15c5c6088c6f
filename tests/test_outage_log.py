"""A Redis outage in the log: its first failure with the traceback, then a line a minute, then a line when it ends.

Limits and counters live on a redis-server of the test's own, so stopping it never touches the shared one. The
outage's clock is the test's, advanced by hand instead of waiting a minute.
"""

import logging

import pytest

from app import outage_log

pytestmark = pytest.mark.scaled_only

JOINS = 50
GENEROUS = "1000/minute"  # one worker joins 51 people: no limit in the way


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app_settings(app_settings, own_redis):
    limits = ("RATELIMIT_MP_SUBMIT_PER_TOKEN", "RATELIMIT_MP_STATUS_PER_TOKEN", "RATELIMIT_MP_STATUS_PER_IP")
    return {**app_settings, "REDIS_URL": own_redis.url, "RATELIMIT_STORAGE_URI": own_redis.url,
            **dict.fromkeys(limits, GENEROUS)}


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(outage_log, "redis", outage_log.Outage("redis", clock))
    # Alembic's fileConfig in the session's migration disabled every logger existing then; a served app logs
    # through all of them, so every traceback a join may write is seen here.
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
    return clock


def test_fifty_joins_while_redis_is_down_log_one_traceback_a_line_a_minute_and_one_line_when_it_is_back(
    own_redis, mp_worker, join_form, clock, caplog
):
    worker = mp_worker("outage")
    own_redis.stop()
    with caplog.at_level(logging.INFO):
        for n in range(JOINS):
            if n == JOINS // 2:
                clock.now += 61
            assert worker.join(join_form()).status_code == 201
        own_redis.start()
        clock.now += 5
        assert worker.join(join_form()).status_code == 201

    tracebacks = [record.getMessage() for record in caplog.records if record.exc_info]
    assert tracebacks == ["intake counter update failed; the next rebuild/reconcile repairs it"]
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == [
        "intake counter update failed; the next rebuild/reconcile repairs it",
        "redis still unavailable: 25 more failures in the last 61 s",
    ]
    assert [record.getMessage() for record in caplog.records if record.name == outage_log.log.name][-1] == (
        "redis available again after 66 s (24 failures since the last line)"
    )
