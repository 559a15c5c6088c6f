"""Run alone (a subprocess of test_gevent_psycopg): under gevent, does a slow psycopg query let others run?

Prints how many 100 ms ticks another greenlet made while `SELECT pg_sleep(1)` was in flight.
"""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

import gevent  # noqa: E402
import psycopg  # noqa: E402

ticks_during_query = 0
in_query = False


def ticker() -> None:
    global ticks_during_query
    for _ in range(20):
        if in_query:
            ticks_during_query += 1
        gevent.sleep(0.1)


def main(database_url: str) -> None:
    global in_query
    with psycopg.connect(database_url) as connection:
        background = gevent.spawn(ticker)
        gevent.sleep(0)  # let the ticker start
        in_query = True
        connection.execute("SELECT pg_sleep(1)")
        in_query = False
        background.join()
    print(ticks_during_query)


if __name__ == "__main__":
    main(sys.argv[1])
