"""A PostgreSQL cluster and a redis-server of make test's own, for the scaled pass when none is named.

`python -m tests.throwaway_services -- <command...>` starts what TEST_DATABASE_URL / TEST_REDIS_URL do not
name, runs the command with both variables set, then stops and deletes both servers (also on failure or
Ctrl-C) and exits with the command's status. A missing binary is named with its apt package in one line:
exit 1 under CI, else 0 (a newcomer still has the embedded pass).
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.intake_fixtures import OwnRedis

# A directory with initdb, pg_ctl and postgres, instead of the newest /usr/lib/postgresql/<version>/bin.
BIN_DIR_VARIABLE = "UNION_INTAKE_POSTGRES_BIN"
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
# initdb and postgres refuse to run as root: root runs them as this (Debian's postgresql package creates it).
SYSTEM_USER = "postgres"


def postgres_bin_dir() -> Path | None:
    """Where the PostgreSQL server binaries are, or None.

    Not `initdb` on PATH: on Debian that may be a wrapper, and postgres itself is never on PATH there.
    """
    if BIN_DIR_VARIABLE in os.environ:
        candidates = [Path(os.environ[BIN_DIR_VARIABLE])]
    else:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version_key, reverse=True)
        on_path = shutil.which("postgres")
        candidates = versions + ([Path(os.path.realpath(on_path)).parent] if on_path else [])
    return next((path for path in candidates if has_server_binaries(path)), None)


def version_key(bin_dir: Path) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in bin_dir.parent.name.split("."))


def has_server_binaries(path: Path) -> bool:
    return all(os.access(path / name, os.X_OK) for name in SERVER_BINARIES)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    """A cluster in a temporary directory, trust auth, superuser `postgres`, on 127.0.0.1 and a socket there.

    stop() and start() keep the data (a test may restart the server under load); remove() deletes it all.
    """

    def __init__(self, bin_dir: Path, run_as: str | None = None):
        """`run_as`: the system user for initdb and postgres; default the current one, `postgres` for root."""
        self.bin_dir = bin_dir
        self.account = system_account(run_as or SYSTEM_USER) if (run_as or os.geteuid() == 0) else None
        self.port = free_port()
        self.root: Path | None = None
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def start(self) -> "ThrowawayPostgres":
        if self.root is None:
            self.create_cluster()
        # Its own session: the terminal's Ctrl-C reaches make and pytest, not the server; stop() shuts it down.
        self.run("pg_ctl", "start", "-D", self.data_dir, "-l", self.root / "server.log", "-w", "-t", "60",
                 what="start", new_session=True)
        return self

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop -m `mode`; the data directory stays for start()."""
        if self.root is not None and self.running():
            self.run("pg_ctl", "stop", "-D", self.data_dir, "-m", mode, "-w", what="stop")

    def running(self) -> bool:
        return self.run("pg_ctl", "status", "-D", self.data_dir, check=False).returncode == 0

    def remove(self) -> None:
        self.stop()
        if self.root is not None:
            shutil.rmtree(self.root)
            self.root = None

    def create_cluster(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="union-intake-postgres-"))
        if self.account:
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
        # C.UTF-8 and UTF8 as the shared server has them; --no-sync: the cluster dies with the run anyway.
        self.run("initdb", "-D", self.data_dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                 "--no-sync", "--no-instructions", what="initdb")
        settings = {"listen_addresses": "'127.0.0.1'", "port": self.port, "unix_socket_directories": f"'{self.root}'",
                    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        # Appended as the owner would (the file keeps its owner), inside the cluster: no config elsewhere.
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def run(self, program: str, *args, what: str = "", check: bool = True, new_session: bool = False):
        as_account = {}
        if self.account:
            # extra_groups=[]: root's supplementary groups do not ride along.
            as_account = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        done = subprocess.run([str(self.bin_dir / program), *map(str, args)], cwd=self.root, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=new_session,
                              **as_account)
        if check and done.returncode != 0:
            raise RuntimeError(f"throwaway PostgreSQL: {what} failed:\n{done.stdout}{self.log_tail()}")
        return done

    def log_tail(self) -> str:
        log = self.root / "server.log" if self.root else None
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log and log.exists() else ""


def system_account(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"throwaway PostgreSQL: no system user {name!r} to run it as (root may not)") from None


def missing_packages(environ: dict) -> list[tuple[str, str]]:
    """(what, apt package) for each server binary the unset variables need and this machine lacks."""
    missing = []
    if not environ.get("TEST_DATABASE_URL") and postgres_bin_dir() is None:
        missing.append(("PostgreSQL server binaries", "postgresql"))
    if not environ.get("TEST_REDIS_URL") and shutil.which("redis-server") is None:
        missing.append(("redis-server", "redis-server"))
    return missing


@contextlib.contextmanager
def throwaway_services(environ: dict) -> Iterator[dict]:
    """Starts a server for each of TEST_DATABASE_URL / TEST_REDIS_URL that `environ` lacks; yields those two."""
    with contextlib.ExitStack() as stack:
        found = {}
        if not environ.get("TEST_DATABASE_URL"):
            postgres = ThrowawayPostgres(postgres_bin_dir())
            stack.callback(postgres.remove)
            found["TEST_DATABASE_URL"] = postgres.start().url
        if not environ.get("TEST_REDIS_URL"):
            redis_server = OwnRedis()
            stack.callback(redis_server.stop)
            # Database 15, as .ci/run's shared Redis: the suite flushes the database it is given.
            found["TEST_REDIS_URL"] = f"redis://127.0.0.1:{redis_server.start().port}/15"
        yield found


def run_command(command: list[str], env: dict) -> int:
    """The command's exit status (128 + signal when a signal ended it)."""
    child = subprocess.Popen(command, env=env)
    # A SIGTERM/SIGHUP sent to this process alone goes on to the command, which ends its own way first.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: child.send_signal(number))
    try:
        status = child.wait()
    except KeyboardInterrupt:
        # The terminal's Ctrl-C reached the command too: let it finish its teardown before the servers go.
        status = child.wait()
    return 128 - status if status < 0 else status


def stop_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print("usage: python -m tests.throwaway_services -- <command...>", file=sys.stderr)
        return 2
    missing = missing_packages(os.environ)
    if missing:
        names = " and ".join(what for what, _ in missing)
        packages = " ".join(package for _, package in missing)
        print(f"make test: {names} not found: apt-get install {packages} (the PostgreSQL + Redis pass needs them)",
              file=sys.stderr)
        return 1 if os.environ.get("CI") else 0
    # A SIGTERM while the servers start still runs the cleanup below.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    with throwaway_services(os.environ) as found:
        print(f"make test: throwaway servers for this pass: {' '.join(found.values())}", file=sys.stderr)
        return run_command(command, {**os.environ, **found})


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)  # the servers are gone by now; no traceback for a Ctrl-C
