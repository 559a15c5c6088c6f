"""wsgi:app with tracemalloc on, for bench/soak.py --tracemalloc (one worker: every request reaches the same one).

GET /__tracemalloc/growth answers, as JSON, the source lines whose live allocations grew most since the first
time it was asked (that first call takes the baseline and answers no lines), and three totals: what Python's
live objects hold (tracemalloc), and what the C allocator (glibc's mallinfo2) has handed out and holds — memory
that grows under the objects shows in those two. The route is added to the
Flask app itself, so gunicorn.conf.py's post_worker_init starts the worker's counter repair loop as in production.
"""

import ctypes
import tracemalloc

tracemalloc.start()

from flask import jsonify  # noqa: E402

from wsgi import app  # noqa: E402

IGNORED = (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>"))
baseline: list[tracemalloc.Snapshot] = []


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def totals() -> dict:
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return {"python_mb": tracemalloc.get_traced_memory()[0] / 2**20, "c_in_use_mb": info.uordblks / 2**20,
            "c_held_mb": (info.arena + info.hblkhd) / 2**20}


def growth():
    snapshot = tracemalloc.take_snapshot().filter_traces(IGNORED)
    if not baseline:
        baseline.append(snapshot)
        return jsonify(lines=[], totals=totals())
    return jsonify(lines=[
        {"where": str(stat.traceback[0]), "size_diff_kb": stat.size_diff / 1024, "count_diff": stat.count_diff}
        for stat in snapshot.compare_to(baseline[0], "lineno")[:50]
    ], totals=totals())


app.add_url_rule("/__tracemalloc/growth", "tracemalloc_growth", growth)
