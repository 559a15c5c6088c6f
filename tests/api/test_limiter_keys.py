"""Limit keys name nobody: the per-ID recovery limit counts under a keyed hash that changes every day, never the
ID number's stored blind index, and a breach is logged without its key (issue 22 item 7).

The limits live on a redis-server of the test's own in both passes, so every key a breach wrote can be read back.
"""

import logging
from datetime import date

import pytest
import redis
from sqlalchemy import select

from app.extensions import db
from app.models import MembershipApplication
from app.services import privacy
from app.services.intake.submission_limits import id_number_key
from tests.factories import id_number

RECOVER = "/membership-applications/recover"


@pytest.fixture
def app_settings(app_settings, own_redis):
    return {**app_settings, "REDIS_URL": own_redis.url, "RATELIMIT_STORAGE_URI": own_redis.url,
            "RATELIMIT_MP_RECOVER_PER_ID": "2/hour"}


def test_a_breached_recovery_limit_leaves_neither_the_id_number_nor_its_blind_index_in_redis_or_the_log(
    mp_worker, join_form, own_redis, caplog, monkeypatch
):
    # Alembic's fileConfig in the session's migration disabled every logger existing then; a served app logs.
    monkeypatch.setattr(logging.getLogger("flask-limiter"), "disabled", False)
    caplog.set_level(logging.DEBUG)
    form = join_form()
    mp_worker("owner").join(form)
    stored_index = db.session.scalar(select(MembershipApplication.id_blind_index))
    attempts = [mp_worker(f"guesser-{n}").post(RECOVER, {"id_number": form["id_number"], "mobile": f"1380000000{n}"})
                for n in range(3)]

    assert attempts[-1].status_code == 429
    keys = b"\n".join(redis.Redis.from_url(own_redis.url).keys("*")).decode()
    assert "/id:" in keys  # the per-ID window is there, under another name
    assert "ratelimit 2 per 1 hour exceeded at endpoint: mp.recover_application" in caplog.text
    for secret in (stored_index, form["id_number"]):
        assert secret not in keys and secret not in caplog.text


def test_an_id_numbers_limit_key_changes_from_one_day_to_the_next(app):
    number = id_number()
    today, tomorrow = id_number_key(number, date(2026, 12, 7)), id_number_key(number, date(2026, 12, 8))

    assert today != tomorrow
    assert privacy.blind_index(number) not in (today, tomorrow)
    assert id_number_key(number, date(2026, 12, 7)) == today  # one count for the whole day
