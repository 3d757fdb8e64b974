"""Load benchmark: the tracker served by gunicorn, driven by wrk at several clients at once.

Run with `make bench-load` (which installs wrk with apt when it is missing), or
`.venv/bin/python benchmarks/load/run.py [--scale 10] [--database sqlite|postgresql|both]
[--seconds 10] [--clients 8] [--workers 2]`.

For each database it builds bench data of the scale (tracker/demo/bench.py; scale 10 is ten
times a large county), serves it with gunicorn on 127.0.0.1 exactly as `make serve` does,
signs in as an administrator, the busiest manager and a committee member, then for each page
runs wrk with the session cookie for a bounded time after a short warm-up. The health check
(`/health`, which reads nothing), driven with the administrator's cookie as the pages are, is
the reference ceiling: each page's throughput is shown as a share of it. The health check
without a cookie (no session, no one to load) is also shown, for information.

PostgreSQL is a throwaway server (tests/postgres_server.py) without durability (fsync off),
analysed after the data is loaded, as autovacuum would.

Targets (issue 6): every page p95 <= 100 ms and >= 25 % of the health check's requests per
second. The command exits 1 when a page misses either, so it can gate a change.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

LUA = Path(__file__).resolve().parent / "report.lua"
VENV_BIN = Path(sys.executable).parent

# The pages issue 6 names, by their name in benchmarks/pages.py, and the label printed here.
PAGES = {
    "dashboard": "dashboard",
    "items, filtered": "items list, filtered",
    "item page": "item page",
    "my actions": "My actions",
    "inspection page": "inspection page",
    "issued report": "issued report",
    "draft report": "draft report",
}
HEALTH = "health check"
HEALTH_ANONYMOUS = "health, not signed in"
P95_TARGET_MS = 100
SHARE_TARGET = 0.25


@dataclass
class Page:
    label: str
    path: str
    email: str | None  # None: no one signs in


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def build_data(database_url: str, scale: float, password: str,
               folder: str) -> tuple[str, list[Page]]:
    """Migrate the empty database and fill it with bench data; the pages to drive."""
    os.environ["TRACKER_INSTANCE_PATH"] = folder
    from flask_migrate import upgrade
    from pages import bench_pages
    from sqlalchemy import select, text

    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-data"})
    with app.app_context():
        upgrade()
        header, by_name = bench_pages(db, app, scale, password=password)
        # Settle the load's disk work before anything is timed: planner statistics and a
        # checkpoint on PostgreSQL, the write-ahead log folded in on SQLite.
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            db.session.execute(text("CHECKPOINT"))
        else:
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
        emails = {row.id: row.email for row in db.session.execute(select(User.id, User.email))}
        pages = [Page(label, by_name[name][0], emails[by_name[name][1]])
                 for name, label in PAGES.items()]
        db.session.remove()
        db.engine.dispose()
    # The reference is driven as every page is, with a signed-in person's cookie: each request
    # then pays for the session and for loading who is signed in, as a page does.
    return header, [Page(HEALTH, "/health", pages[0].email),
                    Page(HEALTH_ANONYMOUS, "/health", None), *pages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int, folder: str) -> Iterator[tuple[str, int]]:
    """Serve the tracker as `make serve` does; yields its address and the master's pid."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRACKER_INSTANCE_PATH": folder,
        "TRACKER_SECRET_KEY": secrets.token_hex(32),
        "TRACKER_WEB_WORKERS": str(workers),
        # Plain http on 127.0.0.1: a Secure cookie would never be sent back.
        "TRACKER_SESSION_COOKIE_SECURE": "false",
    }
    log = open(Path(folder) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--config", "python:tracker.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(Path(folder) / "access.log"),
         "tracker.wsgi:app"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), \
                    urllib.request.urlopen(base + "/health", timeout=2):  # noqa: S310
                break
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise SystemExit("gunicorn did not start:\n"
                                 + (Path(folder) / "gunicorn.log").read_text())
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the form as a person would; the Cookie header for their session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/sign-in") as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise SystemExit("No CSRF token on the sign-in page")
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": password}).encode()
    with opener.open(base + "/sign-in", data=body) as response:
        if "/sign-in" in response.url:
            raise SystemExit(f"Could not sign in as {email}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def check_page(base: str, page: Page, cookie: str | None) -> str | None:
    """One request first: the page must answer 200 itself, not a redirect to sign in. Returns
    the cookie as a browser would hold it afterwards: the tracker notes the idle time once a
    minute in the session cookie, and wrk, unlike a browser, never takes a new cookie."""
    request = urllib.request.Request(base + page.path, headers={"Cookie": cookie or ""})
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=60) as response:
            status, sent = response.status, response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        status, sent = error.code, []
    if status != 200:
        raise SystemExit(f"{page.label} ({page.path}) answered {status}, not 200")
    for header in sent:
        name_value = header.split(";", 1)[0]
        if cookie and name_value.startswith("session="):
            return name_value
    return cookie


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def run_wrk(base: str, page: Page, cookie: str | None, *, seconds: int,
            clients: int) -> Result:
    command = ["wrk", "--threads", "1", "--connections", str(clients),
               "--duration", f"{seconds:g}s", "--timeout", "30s", "--script", str(LUA)]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    finished = subprocess.run([*command, base + page.path], capture_output=True, text=True,
                              check=True)
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    return Result(page.label, summary["requests"], summary["duration_us"] / 1e6,
                  summary["p50_us"] / 1000, summary["p95_us"] / 1000,
                  summary["p99_us"] / 1000, summary["failed"])


def worker_memory(master_pid: int) -> list[tuple[int, int, int]]:
    """(pid, resident MB, proportional MB) of each gunicorn worker; proportional share counts
    pages shared with the other workers once between them."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    found = []
    for pid in map(int, children):
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])
        found.append((pid, fields["Rss"] // 1024, fields["Pss"] // 1024))
    return found


def drive(database: str, database_url: str, folder: str, options: argparse.Namespace) -> bool:
    """Build, serve and drive one database; print its tables. True when every target is met."""
    password = secrets.token_urlsafe(16)
    print(f"\n== {database}: building bench data at scale {options.scale:g} ...", flush=True)
    header, pages = build_data(database_url, options.scale, password, folder)
    print(header, flush=True)
    results, memory = serve_and_drive(database_url, folder, pages, password, options)
    print(f"\n{database}: gunicorn, {options.workers} workers; wrk, {options.clients} clients, "
          f"{options.seconds:g} s a page after {options.warmup:g} s of warm-up")
    return print_table(results, memory)


def serve_and_drive(database_url: str, folder: str, pages: list[Page], password: str,
                    options: argparse.Namespace) -> tuple[list[Result], list[tuple[int, int, int]]]:
    """Serve with gunicorn, sign in, drive each page with wrk; results and worker memory."""
    with gunicorn(database_url, options.workers, folder) as (base, master):
        cookies: dict[str, str] = {}
        for page in pages:
            if page.email and page.email not in cookies:
                cookies[page.email] = sign_in(base, page.email, password)
        results = []
        # The reference is driven first and again last; the faster of the two counts, so a
        # machine still busy at the start cannot flatter the pages.
        for page in [*pages, pages[0]]:
            cookie = check_page(base, page, cookies.get(page.email or ""))
            if page.email and cookie:
                cookies[page.email] = cookie
            run_wrk(base, page, cookie, seconds=options.warmup, clients=options.clients)
            results.append(run_wrk(base, page, cookie, seconds=options.seconds,
                                   clients=options.clients))
        first, last = results[0], results.pop()
        if last.per_second > first.per_second:
            results[0] = last
        results[0].label = f"{HEALTH} ({first.per_second:.0f}, then {last.per_second:.0f})"
        return results, worker_memory(master)


def print_table(results: list[Result], memory: list[tuple[int, int, int]]) -> bool:
    """Print one run's figures against the targets; True when every page met them."""
    ceiling = results[0].per_second
    print(f"{'page':<36}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>8}"
          f"{'share':>8}  target")
    every_target_met = True
    for result in results:
        share = result.per_second / ceiling if ceiling else 0.0
        misses = []
        if result.p95_ms > P95_TARGET_MS:
            misses.append(f"p95 over {P95_TARGET_MS} ms")
        if share < SHARE_TARGET:
            misses.append(f"under {SHARE_TARGET:.0%} of the health check")
        if result.failed:
            misses.append(f"{result.failed} failed requests")
        if result is results[0]:
            verdict = "reference"
        elif result.label == HEALTH_ANONYMOUS:
            verdict = "(for information)"
        else:
            verdict = "met" if not misses else "MISSED: " + ", ".join(misses)
            every_target_met &= not misses
        print(f"{result.label:<36}{result.p50_ms:>8.1f}{result.p95_ms:>8.1f}"
              f"{result.p99_ms:>8.1f}{result.per_second:>8.0f}{share:>8.0%}  {verdict}")
    for pid, rss, pss in memory:
        print(f"worker {pid}: {rss} MB resident, {pss} MB proportional share")
    return every_target_met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10,
                        help="driven time per page, in whole seconds (as wrk takes it)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up time per page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run `make bench-load`, which installs it with apt")

    every_target_met = True
    if options.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="tracker-load-") as folder:
            every_target_met &= drive("SQLite", f"sqlite:///{folder}/load.sqlite", folder,
                                      options)
    if options.database in ("postgresql", "both"):
        from tests.postgres_server import TemporaryPostgres

        with TemporaryPostgres() as server, \
                tempfile.TemporaryDirectory(prefix="tracker-load-") as folder:
            with server.connect() as connection:
                connection.execute("CREATE DATABASE tracker")
            every_target_met &= drive("PostgreSQL", server.url("tracker"), folder, options)
    print("\nEvery page met both targets." if every_target_met
          else "\nAt least one page missed a target (marked MISSED above).")
    return 0 if every_target_met else 1


if __name__ == "__main__":
    sys.exit(main())
