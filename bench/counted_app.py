"""The benched apps, each answer telling how many SQL statements and transactions its request cost.

    gunicorn ... 'bench.counted_app:real()'      wsgi's app
    gunicorn ... 'bench.counted_app:baseline()'  bench/baseline_app.py

A SQLAlchemy event counts every statement sent through a cursor, and every commit and rollback, into the
request's `g`; the answer carries them as `X-Bench-SQL: <statements> <transactions>`, so the load generator
sums them per request without any state shared between worker processes. (The pool's pre-ping and the
driver's BEGIN are not cursor statements and go uncounted, alike in both apps.)
"""

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQL_HEADER = "X-Bench-SQL"


def counted(app: Flask) -> Flask:
    event.listen(Engine, "before_cursor_execute", lambda *_args: _tally("bench_statements"))
    event.listen(Engine, "commit", lambda *_args: _tally("bench_transactions"))
    event.listen(Engine, "rollback", lambda *_args: _tally("bench_transactions"))

    @app.after_request
    def tell_sql_count(response):
        response.headers[SQL_HEADER] = f"{g.get('bench_statements', 0)} {g.get('bench_transactions', 0)}"
        return response

    return app


def _tally(name: str) -> None:
    if has_app_context():
        setattr(g, name, g.get(name, 0) + 1)


def real() -> Flask:
    from wsgi import app

    return counted(app)


def baseline() -> Flask:
    from bench.baseline_app import create_baseline_app

    return counted(create_baseline_app())
