"""wsgi:app with tracemalloc on, for bench/soak.py --tracemalloc (one worker: every request reaches the same one).

GET /__tracemalloc/growth answers, as JSON, the source lines whose live allocations grew most since the first
time it was asked (that first call takes the baseline and answers an empty list). The route is added to the
Flask app itself, so gunicorn.conf.py's post_worker_init starts the worker's counter repair loop as in production.
"""

import tracemalloc

tracemalloc.start()

from flask import jsonify  # noqa: E402

from wsgi import app  # noqa: E402

IGNORED = (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>"))
baseline: list[tracemalloc.Snapshot] = []


def growth():
    snapshot = tracemalloc.take_snapshot().filter_traces(IGNORED)
    if not baseline:
        baseline.append(snapshot)
        return jsonify([])
    return jsonify([
        {"where": str(stat.traceback[0]), "size_diff_kb": stat.size_diff / 1024, "count_diff": stat.count_diff}
        for stat in snapshot.compare_to(baseline[0], "lineno")[:50]
    ])


app.add_url_rule("/__tracemalloc/growth", "tracemalloc_growth", growth)
