"""Load benchmark: the tracker served by gunicorn, driven by wrk at several clients at once.

Run with `make bench-load` (which installs wrk with apt when it is missing), or
`.venv/bin/python benchmarks/load/run.py [--scale 10] [--database sqlite|postgresql|both]
[--seconds 10] [--clients 8] [--workers 2] [--load plain|mixed|both]`.

For each database it builds bench data of the scale (tracker/demo/bench.py; scale 10 is ten
times a large county), serves it with gunicorn on 127.0.0.1 with the scheduler process beside
it, exactly as `make serve` does, signs in as an administrator, the busiest manager and a
committee member, then for each page runs wrk with the session cookie for a bounded time after
a short warm-up, a connection for each request (as nginx talks to gunicorn by default). A
draft page is first asked for until it shows a paper: the board's draft
(2,000 items, over DRAFT_PAGE_LIVE_ITEMS) is prepared by the scheduler, and its page shows
progress until the first one is ready (tracker/reports/prepared.py). The health check
(`/health`, which reads nothing), driven with the administrator's cookie as the pages are, is
the reference ceiling: each page's throughput is shown as a share of it. The health check
without a cookie (no session, no one to load) is also shown, for information.

Two loads, one after the other on the same server (issue 19):
- plain: every client asks for the page;
- mixed: one client of the eight updates actions while the others ask for the page, paced so
  that 5 % of all requests are updates (it asks for the next form once the page has answered
  its share of requests since the run began, so the share holds for fast and slow pages).
  An update is made as a person makes it, through the real form (`Updater` below):
  the update form is read, then posted with its CSRF token and the action's version, as the
  busiest manager, over that manager's open actions.

PostgreSQL is a throwaway server (tests/postgres_server.py) without durability (fsync off),
analysed after the data is loaded, as autovacuum would.

Targets (issue 19), under both loads: every page p95 <= 100 ms and at least 15 % of the health
check's requests per second; the draft papers p95 <= 1 s, with no throughput target (each
shows a whole paper and is read rarely): the first committee's (about a twentieth of the
items) and the largest committee's (bench data's board, which follows every item); no update
refused; each worker at most 200 MB resident at the end of the run. The command exits 1 when
any is missed, so it can gate a change.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
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
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

LUA = Path(__file__).resolve().parent / "report.lua"
VENV_BIN = Path(sys.executable).parent

# The pages issues 6 and 19 name, by their name in benchmarks/pages.py, and the label printed here.
PAGES = {
    "dashboard": "dashboard",
    "items, filtered": "items list, filtered",
    "item page": "item page",
    "my actions": "My actions",
    "inspection page": "inspection page",
    "issued report": "issued report",
    "draft report": "draft report",
    "draft report, largest": "draft report, largest committee",
}
HEALTH = "health check"
HEALTH_ANONYMOUS = "health, not signed in"
# The draft papers: held to their own p95, with no throughput target.
DRAFTS = ("draft report", "draft report, largest committee")
P95_TARGET_MS = 100
DRAFT_P95_TARGET_MS = 1000
SHARE_TARGET = 0.15
MEMORY_TARGET_MB = 200
# The mixed load: this share of all requests are updates posted through the form.
UPDATE_SHARE = 0.05


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
    # Under the mixed load: the updates made beside the page.
    updates: Updates | None = None
    # The web workers' CPU time per request answered (page and updates alike): unlike the
    # wall clock, hardly moved by other work on the machine. PostgreSQL's own is not in it.
    cpu_ms: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Updates:
    """The updating client's run: its requests (forms read and posted), p95, and the posts
    saved and refused."""

    requests: int
    p95_ms: float
    posted: int
    saved: int
    refused: int
    failed: int


@dataclass
class Bench:
    """What one database's run drives: the pages, and the update forms of the mixed load with
    the email of the manager who owns their actions."""

    header: str
    pages: list[Page]
    update_forms: list[str]
    updater_email: str


def build_data(database_url: str, scale: float, password: str, folder: str) -> Bench:
    """Migrate the empty database and fill it with bench data; the pages to drive and the
    actions to update."""
    os.environ["TRACKER_INSTANCE_PATH"] = folder
    from flask_migrate import upgrade
    from pages import bench_pages
    from sqlalchemy import select, text

    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.extensions import db
    from tracker.items.models import OPEN_ACTION_STATUSES, Action

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
        # The busiest manager updates their own open actions (the owner of the update form
        # bench_pages times), in turn.
        updater_id = by_name["update form"][1]
        update_forms = [f"/actions/{action_id}/update" for action_id in db.session.scalars(
            select(Action.id).where(Action.owner_id == updater_id,
                                    Action.status.in_(OPEN_ACTION_STATUSES))
            .order_by(Action.id).limit(100))]
        db.session.remove()
        db.engine.dispose()
    # The reference is driven as every page is, with a signed-in person's cookie: each request
    # then pays for the session and for loading who is signed in, as a page does.
    return Bench(header, [Page(HEALTH, "/health", pages[0].email),
                          Page(HEALTH_ANONYMOUS, "/health", None), *pages],
                 update_forms, emails[updater_id])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int, folder: str) -> Iterator[tuple[str, int]]:
    """Serve the tracker as `make serve` does, gunicorn with the one scheduler process beside
    it (which prepares large committees' draft pages); yields the address and gunicorn
    master's pid."""
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
    scheduler_log = open(Path(folder) / "scheduler.log", "w")  # noqa: SIM115 - closed below
    # Exactly one scheduler beside the web workers, as `make serve` starts it.
    scheduler = subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "tracker", "scheduler"],
        cwd=ROOT, env=environment, stdout=scheduler_log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
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
        for process in (server, scheduler):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        scheduler_log.close()


# Every request names the same browser, as a person's do. Flask-Login notes the browser and
# address a session was signed in from; a request from another marks the session not fresh,
# which rewrites the cookie, and wrk, which never takes a new cookie, would have it rewritten
# and sent again on every answer (about 0.05 ms of CPU each, health check included).
USER_AGENT = "tracker-load-benchmark"


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the form as a person would; the Cookie header for their session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
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
    request = urllib.request.Request(base + page.path,
                                     headers={"Cookie": cookie or "", "User-Agent": USER_AGENT})
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


# A large committee's draft page shows the paper the scheduler prepared: "Prepared on …", or
# "The draft below was prepared on …" while the next one is prepared.
PREPARED = re.compile(r"[Pp]repared on ")
PREPARED_WAIT_SECONDS = 300


def wait_until_prepared(base: str, page: Page, cookie: str | None) -> None:
    """Ask for a draft page until it shows a paper: a large committee's draft is prepared by
    the scheduler, and until the first is ready the page shows its progress instead. A live
    draft shows its paper at once."""
    deadline = time.monotonic() + PREPARED_WAIT_SECONDS
    while True:
        request = urllib.request.Request(
            base + page.path, headers={"Cookie": cookie or "", "User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            shown = response.read().decode()
        if "data-report-run-progress" not in shown or PREPARED.search(shown):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{page.label}: no prepared draft after {PREPARED_WAIT_SECONDS} s "
                             "(is the scheduler running? see scheduler.log)")
        time.sleep(1)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def wrk_command(base: str, path: str, cookie: str | None, *, seconds: int, clients: int,
                script: Path) -> list[str]:
    command = ["wrk", "--threads", "1", "--connections", str(clients),
               "--duration", f"{seconds:g}s", "--timeout", "30s", "--script", str(script),
               # A connection for each request, as nginx (docs/deploying.md) talks to gunicorn
               # by default. Kept open, wrk's eight connections were all accepted by one worker
               # at times, which then served every request while the other sat idle.
               "--header", "Connection: close", "--header", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    return [*command, base + path]


def summary_of(finished: subprocess.CompletedProcess) -> dict:
    return json.loads(finished.stdout.strip().splitlines()[-1])


def run_wrk(base: str, page: Page, cookie: str | None, *, seconds: int,
            clients: int, count_file: Path | None = None) -> Result:
    command = wrk_command(base, page.path, cookie, seconds=seconds, clients=clients, script=LUA)
    if count_file:
        command += ["--", str(count_file)]
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    return result_of(page.label, summary_of(finished))


def result_of(label: str, summary: dict) -> Result:
    return Result(label, summary["requests"], summary["duration_us"] / 1e6,
                  summary["p50_us"] / 1000, summary["p95_us"] / 1000,
                  summary["p99_us"] / 1000, summary["failed"])


class Updater(threading.Thread):
    """The updating client of the mixed load: it reads an action's update form and posts it
    with its CSRF token and the action's version, as a person does, over the update forms in
    turn. It keeps pace with the page's answers as they come (report.lua writes their count to
    a file): it asks for the next form once the page has had `pages_per_post` answers for each
    update so far.

    Each request has a connection of its own, opened when the request is ready and written at
    once, as nginx talks to gunicorn. (wrk, asked to wait between requests, opens the next
    connection first and waits with it open: a gunicorn worker with one thread then waits on
    it, with every request behind it.)"""

    def __init__(self, base: str, cookie: str, forms: list[str], *, pages_per_post: float,
                 count_file: Path) -> None:
        super().__init__(name="updater", daemon=True)
        self.address = urllib.parse.urlsplit(base)
        self.headers = {"Cookie": cookie, "User-Agent": USER_AGENT, "Connection": "close"}
        self.forms, self.pages_per_post, self.count_file = forms, pages_per_post, count_file
        self.stopping = threading.Event()
        self.latencies: list[float] = []
        self.posted = self.saved = self.refused = self.failed = 0

    def _ask(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.address.hostname, self.address.port,
                                                timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        self.latencies.append(time.perf_counter() - started)
        return response.status, text

    def _page_answers(self) -> int:
        # A read while report.lua rewrites the file finds it empty: not yet, then.
        text = self.count_file.read_text().strip()
        return int(text) if text.isdigit() else 0

    def _update(self, path: str) -> None:
        status, form = self._ask("GET", path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        version = re.search(r'name="version"[^>]*value="(\d+)"', form)
        if status != 200 or token is None or version is None:
            self.refused += 1
            return
        self.posted += 1
        status, _ = self._ask("POST", path, urllib.parse.urlencode({
            "csrf_token": token.group(1), "version": version.group(1),
            "status": "in progress", "commentary": "Update made by the load benchmark"}))
        # Saved: the form redirects to where the person came from. Anything else is a refusal
        # (a conflict, a form error), which the benchmark must not have.
        if status in (302, 303):
            self.saved += 1
        else:
            self.refused += 1

    def run(self) -> None:
        made = 0
        while not self.stopping.is_set():
            if self._page_answers() < (made + 1) * self.pages_per_post:
                self.stopping.wait(0.01)
                continue
            try:
                self._update(self.forms[made % len(self.forms)])
            except OSError:
                self.failed += 1
            made += 1

    def outcome(self) -> Updates:
        latencies = sorted(self.latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else 0.0
        return Updates(len(latencies), p95, self.posted, self.saved, self.refused, self.failed)


def run_mixed(base: str, page: Page, cookie: str | None, updater_cookie: str,
              update_forms: list[str], *, seconds: int, clients: int, folder: str) -> Result:
    """The page driven by all clients but one, while that one updates actions through the form
    so that updates are `UPDATE_SHARE` of all requests (each update is two requests: the form
    read, then posted)."""
    # posts = share x (page requests + 2 x posts), so one post for every
    # (1 - 2 x share) / share page requests.
    pages_per_post = (1 - 2 * UPDATE_SHARE) / UPDATE_SHARE
    count_file = Path(folder) / "page-answers"
    count_file.write_text("0")
    updater = Updater(base, updater_cookie, update_forms, pages_per_post=pages_per_post,
                      count_file=count_file)
    updater.start()
    try:
        result = run_wrk(base, page, cookie, seconds=seconds, clients=clients - 1,
                         count_file=count_file)
    finally:
        updater.stopping.set()
        updater.join()
    result.updates = updater.outcome()
    return result


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


def workers_cpu_seconds(master_pid: int) -> float:
    """User and system CPU time so far of all gunicorn's workers, all their threads."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        # The fields after the command's closing bracket; utime and stime are the 12th and 13th.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def with_cpu(master_pid: int, run: Callable[[], Result]) -> Result:
    """Run one wrk run; note the workers' CPU per request answered in it."""
    before = workers_cpu_seconds(master_pid)
    result = run()
    answered = result.requests + (result.updates.requests if result.updates else 0)
    result.cpu_ms = (workers_cpu_seconds(master_pid) - before) * 1000 / max(answered, 1)
    return result


def drive(database: str, database_url: str, folder: str, options: argparse.Namespace) -> bool:
    """Build, serve and drive one database; print its tables. True when every target is met."""
    password = secrets.token_urlsafe(16)
    print(f"\n== {database}: building bench data at scale {options.scale:g} ...", flush=True)
    bench = build_data(database_url, options.scale, password, folder)
    print(bench.header, flush=True)
    loads, memory = serve_and_drive(database_url, folder, bench, password, options)
    every_target_met = True
    for load, results in loads.items():
        print(f"\n{database}, {load}: gunicorn, {options.workers} workers; wrk, "
              f"{options.clients} clients, {options.seconds:g} s a page after "
              f"{options.warmup:g} s of warm-up")
        every_target_met &= print_table(results)
    return print_memory(memory) and every_target_met


def serve_and_drive(database_url: str, folder: str, bench: Bench, password: str,
                    options: argparse.Namespace
                    ) -> tuple[dict[str, list[Result]], list[tuple[int, int, int]]]:
    """Serve with gunicorn, sign in, drive each page with wrk under each load; the results by
    load, and the workers' memory at the end."""
    pages = [page for page in bench.pages
             if not options.page or page.label in (HEALTH, HEALTH_ANONYMOUS, *options.page)]
    with gunicorn(database_url, options.workers, folder) as (base, master):
        cookies: dict[str, str] = {}
        for email in {page.email for page in pages if page.email} | {bench.updater_email}:
            cookies[email] = sign_in(base, email, password)
        plain: list[Result] = []
        mixed: list[Result] = []
        # The reference is driven first and again last; the faster of the two counts, so a
        # machine still busy at the start cannot flatter the pages.
        for page in [*pages, pages[0]]:
            cookie = check_page(base, page, cookies.get(page.email or ""))
            if page.email and cookie:
                cookies[page.email] = cookie
            if page.label in DRAFTS:
                wait_until_prepared(base, page, cookie)
            run_wrk(base, page, cookie, seconds=options.warmup, clients=options.clients)
            if options.load in ("plain", "both") or page.label in (HEALTH, HEALTH_ANONYMOUS):
                plain.append(with_cpu(master, partial(
                    run_wrk, base, page, cookie, seconds=options.seconds,
                    clients=options.clients)))
            if options.load in ("mixed", "both") and page.label not in (HEALTH,
                                                                        HEALTH_ANONYMOUS):
                mixed.append(with_cpu(master, partial(
                    run_mixed, base, page, cookie, cookies[bench.updater_email],
                    bench.update_forms, seconds=options.seconds, clients=options.clients,
                    folder=folder)))
        first, last = plain[0], plain.pop()
        if last.per_second > first.per_second:
            plain[0] = last
        plain[0].label = f"{HEALTH} ({first.per_second:.0f}, then {last.per_second:.0f})"
        loads = {}
        if options.load in ("plain", "both"):
            loads["plain load"] = plain
        if options.load in ("mixed", "both"):
            loads[f"mixed load ({UPDATE_SHARE:.0%} updates)"] = plain[:2] + mixed
        return loads, worker_memory(master)


def print_table(results: list[Result]) -> bool:
    """Print one load's figures against the targets; True when every page met them."""
    ceiling = results[0].per_second
    print(f"{'page':<36}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>8}"
          f"{'share':>8}{'CPU ms':>8}  target")
    every_target_met = True
    for result in results:
        share = result.per_second / ceiling if ceiling else 0.0
        misses = []
        p95_target = DRAFT_P95_TARGET_MS if result.label in DRAFTS else P95_TARGET_MS
        if result.p95_ms > p95_target:
            misses.append(f"p95 over {p95_target} ms")
        if share < SHARE_TARGET and result.label not in DRAFTS:
            misses.append(f"under {SHARE_TARGET:.0%} of the health check")
        if result.failed:
            misses.append(f"{result.failed} failed requests")
        if not result.requests:
            misses.append("no request answered within the run")
        # A post still unanswered when wrk stops is neither saved nor refused.
        if result.updates is not None and (result.updates.refused or result.updates.failed):
            misses.append(f"{result.updates.refused + result.updates.failed} updates refused")
        if result is results[0]:
            verdict = "reference"
        elif result.label == HEALTH_ANONYMOUS:
            verdict = "(for information)"
        else:
            verdict = "met" if not misses else "MISSED: " + ", ".join(misses)
            every_target_met &= not misses
        print(f"{result.label:<36}{result.p50_ms:>8.1f}{result.p95_ms:>8.1f}"
              f"{result.p99_ms:>8.1f}{result.per_second:>8.0f}{share:>8.0%}"
              f"{result.cpu_ms:>8.1f}  {verdict}")
        if result.updates is not None:
            made = result.updates
            total = result.requests + made.requests
            print(f"{'':<4}beside it: {made.saved} updates saved of {made.posted} posted "
                  f"({made.posted / total if total else 0:.1%} of requests), form and post "
                  f"p95 {made.p95_ms:.0f} ms")
    return every_target_met


def print_memory(memory: list[tuple[int, int, int]]) -> bool:
    """Print each worker's memory at the end of the run; True when none is over the target."""
    every_target_met = True
    for pid, rss, pss in memory:
        met = rss <= MEMORY_TARGET_MB
        every_target_met &= met
        print(f"worker {pid}: {rss} MB resident, {pss} MB proportional share  "
              + ("met" if met else f"MISSED: over {MEMORY_TARGET_MB} MB resident"))
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
    parser.add_argument("--page", action="append", choices=list(PAGES.values()),
                        help="drive only this page (may be given more than once)")
    parser.add_argument("--load", choices=("plain", "mixed", "both"), default="both",
                        help="plain: every client reads the page; mixed: 5 %% of requests "
                        "are updates of actions through the form")
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
    print("\nEvery target was met." if every_target_met
          else "\nAt least one target was missed (marked MISSED above).")
    return 0 if every_target_met else 1


if __name__ == "__main__":
    sys.exit(main())
