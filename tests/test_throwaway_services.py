"""make test's own PostgreSQL + Redis: a cluster that runs unprivileged, survives a restart, leaves nothing behind."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import with_database
from tests.throwaway_services import BIN_DIR_VARIABLE, ThrowawayPostgres, missing_packages, postgres_bin_dir

ROOT = Path(__file__).resolve().parent.parent
# Prints where the servers it was given keep their data and listen, then waits or exits 3.
REPORTER = """
import os, sys, time, psycopg, redis
with psycopg.connect(os.environ["TEST_DATABASE_URL"]) as conn:
    print(conn.execute("SHOW data_directory").fetchone()[0])
client = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
print(client.ping(), client.connection_pool.connection_kwargs["port"], flush=True)
time.sleep(float(sys.argv[1]))
sys.exit(3)
"""


def needs_server_binaries() -> Path:
    missing = missing_packages({})
    if missing:
        # As the browser tests without Chromium: a missing server fails with the line that installs it, never a skip.
        pytest.fail("needs " + " and ".join(what for what, _ in missing) + ": apt-get install postgresql redis-server")
    return postgres_bin_dir()


@pytest.fixture(scope="module")
def postgres():
    server = ThrowawayPostgres(needs_server_binaries()).start()
    yield server
    server.remove()


def runner_env(**extra) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in ("TEST_DATABASE_URL", "TEST_REDIS_URL")}
    return {**env, **extra}


def runner(*command: str) -> list[str]:
    return [sys.executable, "-m", "tests.throwaway_services", "--", *command]


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.scaled_only
def test_server_runs_as_an_unprivileged_user(postgres):
    server_pid = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
    status = Path(f"/proc/{server_pid}/status").read_text()
    real_uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert real_uid != 0
    assert real_uid == (postgres.account.pw_uid if os.geteuid() == 0 else os.geteuid())


@pytest.mark.scaled_only
def test_superuser_creates_a_database_and_connects_to_it(postgres):
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute('CREATE DATABASE "made_here"')
    with psycopg.connect(with_database(postgres.url, "made_here")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("made_here",)


@pytest.mark.scaled_only
def test_stop_and_start_keep_the_rows(postgres):
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept SELECT generate_series(1, 500)")
    postgres.stop()
    assert not accepts(postgres.port)
    postgres.start()
    with psycopg.connect(postgres.url) as conn:
        assert conn.execute("SELECT count(*) FROM kept").fetchone() == (500,)


@pytest.mark.scaled_only
def test_command_runs_on_both_servers_then_they_are_gone():
    needs_server_binaries()
    done = subprocess.run(runner(sys.executable, "-c", REPORTER, "0"), cwd=ROOT, env=runner_env(),
                          capture_output=True, text=True, timeout=120)
    data_dir, redis_line = done.stdout.splitlines()
    assert done.returncode == 3, done.stderr
    assert redis_line.startswith("True ")
    assert not Path(data_dir).parent.exists()
    assert not accepts(int(redis_line.split()[1]))


@pytest.mark.scaled_only
def test_ctrl_c_still_removes_both_servers():
    needs_server_binaries()
    # Its own process group with the default SIGINT, as a terminal's foreground job has.
    run = subprocess.Popen(runner(sys.executable, "-c", REPORTER, "60"), cwd=ROOT, env=runner_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    data_dir, redis_line = run.stdout.readline().strip(), run.stdout.readline()
    os.killpg(run.pid, signal.SIGINT)
    assert run.wait(timeout=60) == 128 + signal.SIGINT
    assert not Path(data_dir).parent.exists()
    assert not accepts(int(redis_line.split()[1]))


@pytest.mark.parametrize(("ci", "status"), [("1", 1), (None, 0)])
def test_missing_postgres_is_named_with_its_apt_package(tmp_path, ci, status):
    env = runner_env(**{BIN_DIR_VARIABLE: str(tmp_path / "nowhere")})
    env.pop("CI", None)
    if ci:
        env["CI"] = ci
    done = subprocess.run(runner(sys.executable, "-c", "raise SystemExit(7)"), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == status
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "PostgreSQL server binaries not found: apt-get install postgresql (" in line


def test_missing_redis_too_is_named_in_the_same_line(tmp_path):
    env = runner_env(**{BIN_DIR_VARIABLE: str(tmp_path / "nowhere"), "PATH": str(tmp_path), "CI": "1"})
    done = subprocess.run(runner(sys.executable, "-c", "raise SystemExit(7)"), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert "apt-get install postgresql redis-server" in line
