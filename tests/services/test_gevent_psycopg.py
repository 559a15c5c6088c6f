"""gunicorn runs gevent workers; a slow PostgreSQL query must yield to the live streams, not freeze them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("gevent_probe.py")


@pytest.mark.scaled_only
def test_a_one_second_query_does_not_stop_a_100_ms_ticker_under_gevent():
    result = subprocess.run(
        [sys.executable, str(PROBE), os.environ["TEST_DATABASE_URL"]], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # Blocking the loop would let at most one tick through; yielding lets the ticker run on (~10 ticks).
    assert int(result.stdout.strip()) >= 5
