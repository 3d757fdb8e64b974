"""A throwaway PostgreSQL server for the tests: Debian's PostgreSQL (installed with apt when it
is missing), a new cluster in a temporary folder, listening only on a unix socket there, and
removed afterwards, even when the run is interrupted or killed.

Used by tests/conftest.py when TRACKER_TEST_DATABASE=postgresql. It also runs on its own:

    .venv/bin/python -m tests.postgres_server -- COMMAND ...

runs COMMAND with DATABASE_URL pointing at an empty database on a throwaway server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "tracker"
PROGRAMS = ("initdb", "pg_ctl", "postgres")

# Durability is worthless for a database thrown away after the run; speed is not.
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
    "max_parallel_workers_per_gather": "0",  # a container's small /dev/shm breaks parallel scans
    "max_connections": "100",
    "max_wal_size": "1GB",
    "log_min_messages": "warning",
}

# Runs beside the tests: when their process is gone (killed, even with SIGKILL), it stops the
# server at once and removes the folder, so nothing is left behind.
WATCHDOG = """
import os, shutil, signal, sys, time
parent, folder = int(sys.argv[1]), sys.argv[2]
signal.signal(signal.SIGINT, signal.SIG_IGN)
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
while alive(parent):
    time.sleep(1)
try:
    with open(os.path.join(folder, "data", "postmaster.pid")) as handle:
        server = int(handle.readline())
    os.kill(server, signal.SIGQUIT)
    for _ in range(100):
        if not alive(server):
            break
        time.sleep(0.1)
except (OSError, ValueError):
    pass
shutil.rmtree(folder, ignore_errors=True)
"""


class PostgresNotAvailable(RuntimeError):
    """PostgreSQL's server programs are not installed and could not be installed."""


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder))


def find_bin_dir(programs: tuple[str, ...] = PROGRAMS) -> Path | None:
    """The folder holding all of `programs`: where PATH finds them (following symlinks, as
    Debian's /usr/bin wrappers and hand-made links point into the versioned folder), else the
    newest /usr/lib/postgresql/*/bin."""
    candidates = []
    found = shutil.which(programs[0])
    if found:
        candidates.append(Path(os.path.realpath(found)).parent)
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key,
                         reverse=True):
        candidates.append(Path(folder))
    for folder in candidates:
        if all(os.access(folder / program, os.X_OK) for program in programs):
            return folder
    return None


def install_postgresql() -> None:
    """Debian's `postgresql` package, with apt (as root only: no sudo prompts in a test run)."""
    if os.geteuid() != 0:
        raise PostgresNotAvailable(
            "PostgreSQL's server programs (initdb, pg_ctl) were not found. Install them with "
            "`sudo apt-get install postgresql` and run the tests again."
        )
    print("PostgreSQL not found: installing Debian's postgresql package", file=sys.stderr)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=environment,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
                   check=True, env=environment, stdout=subprocess.DEVNULL)


def server_bin_dir() -> Path:
    """Where initdb, pg_ctl and postgres are, installing them first if need be."""
    folder = find_bin_dir()
    if folder is None:
        install_postgresql()
        folder = find_bin_dir()
    if folder is None:
        raise PostgresNotAvailable("PostgreSQL was installed but initdb and pg_ctl not found")
    return folder


def _server_account() -> str | None:
    """initdb and postgres refuse to run as root: as root, run them as `postgres` (made by
    Debian's package) or else `nobody`. As anyone else, run them as yourself (None)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresNotAvailable("running as root, and there is no `postgres` or `nobody` user")


class TemporaryPostgres:
    """A PostgreSQL server of its own in a temporary folder; `start()`, then `stop()`."""

    def __init__(self) -> None:
        self.bin_dir = server_bin_dir()
        self.account = _server_account()
        self.folder: Path | None = None
        self._watchdog: subprocess.Popen | None = None

    @property
    def socket_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "socket"

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "data"

    def _run_as_server(self, command: list[str], **options) -> subprocess.CompletedProcess:
        if self.account is not None:
            command = ["runuser", "-u", self.account, "--", *command]
        # Its own session, so a Ctrl-C meant for the tests does not stop the server under them.
        return subprocess.run(command, check=True, start_new_session=True,
                              stdin=subprocess.DEVNULL, **options)

    def start(self) -> None:
        parent = tempfile.gettempdir()
        if self.account is not None and not os.stat(parent).st_mode & 0o001:
            parent = "/tmp"  # noqa: S108 - the server's account must be able to reach it
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-pg-", dir=parent))
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(os.getpid()), str(self.folder)],
            start_new_session=True, stdin=subprocess.DEVNULL,
        )
        try:
            self._create_and_start()
        except BaseException:
            self.stop()
            raise

    def _create_and_start(self) -> None:
        assert self.folder is not None
        self.folder.chmod(0o755)
        for folder in (self.data_dir, self.socket_dir):
            folder.mkdir()
            if self.account is not None:
                entry = pwd.getpwnam(self.account)
                os.chown(folder, entry.pw_uid, entry.pw_gid)
        log = self.socket_dir / "server.log"
        try:
            self._run_as_server(
                [str(self.bin_dir / "initdb"), "--pgdata", str(self.data_dir),
                 "--username", SUPERUSER, "--auth", "trust", "--encoding", "UTF8",
                 "--no-locale", "--no-sync", "--no-instructions"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
        except subprocess.CalledProcessError as error:
            raise PostgresNotAvailable(f"initdb failed:\n{error.stdout}") from error
        settings = dict(SERVER_SETTINGS, unix_socket_directories=f"'{self.socket_dir}'")
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# tests/postgres_server.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        try:
            self._run_as_server(
                [str(self.bin_dir / "pg_ctl"), "--pgdata", str(self.data_dir),
                 "--log", str(log), "--wait", "--timeout", "60", "--silent", "start"],
                stdout=subprocess.DEVNULL,
            )
        except subprocess.CalledProcessError as error:
            text = log.read_text(errors="replace") if log.exists() else ""
            raise PostgresNotAvailable(f"the server did not start:\n{text}") from error

    def stop(self) -> None:
        """Stop the server at once (its data is thrown away) and remove its folder."""
        if self.folder is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            # Already gone is fine: the folder goes all the same.
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run_as_server(
                    [str(self.bin_dir / "pg_ctl"), "--pgdata", str(self.data_dir),
                     "--mode", "immediate", "--wait", "--silent", "stop"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` on this server, over its unix socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def connect(self, database: str = "postgres"):
        """A psycopg connection in autocommit mode, for CREATE and DROP DATABASE."""
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), dbname=database, user=SUPERUSER,
                               autocommit=True)

    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    """Run a command with DATABASE_URL set to an empty database on a throwaway server."""
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m tests.postgres_server -- COMMAND [ARGUMENT ...]\n"
              "Runs COMMAND with DATABASE_URL set to an empty database on a throwaway server.",
              file=sys.stderr)
        return 2
    with TemporaryPostgres() as server:
        with server.connect() as connection:
            connection.execute("CREATE DATABASE tracker")
        environment = {**os.environ, "DATABASE_URL": server.url("tracker")}
        try:
            return subprocess.run(argv, env=environment).returncode
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
