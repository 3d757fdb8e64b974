"""The tracker served for real on 127.0.0.1, a local SMTP server, and Debian's Chromium.

The web server and the scheduler are their own processes (`flask run`, `flask scheduler`),
against their own SQLite file, as `make run` starts them. A journey can restart both at a
later moment (tests/browser/serve.py) to let time pass. Screenshots of each step are saved
in test-artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.reminders.conftest import Inbox, SmtpServer, free_port
from tracker.demo.letters import letter_dates, older_letter

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# WCAG 2.2 levels A and AA, as axe-core tags its rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORDS = {
    "admin": "lantern orchard velvet quarry",
    "manager": "copper meadow whistle harbour",
    "member": "saffron glacier pebble tandem",
}


@pytest.fixture(autouse=True)
def fixed_time():
    """The served app runs on the real clock (or its own moved clock): nothing is frozen."""
    yield None


@dataclass
class Person:
    name: str
    email: str
    password: str


@dataclass
class Site:
    """The served tracker: its folder, database, people, mail and processes."""

    folder: Path
    port: int
    smtp: SmtpServer
    people: dict[str, Person]
    committee_name: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    # Settings of this site's own (TRACKER_* variables), set before `start`.
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def inbox(self) -> Inbox:
        return self.smtp.inbox

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "TRACKER_INSTANCE_PATH": str(self.folder / "instance"),
            "TRACKER_DATABASE_URL": f"sqlite:///{self.folder / 'tracker.sqlite'}",
            "TRACKER_SECRET_KEY": "browser-journey-secret",
            "TRACKER_SESSION_COOKIE_SECURE": "false",
            "TRACKER_COUNCIL_NAME": "Northshire County Council",
            "TRACKER_MAIL_BACKEND": "smtp",
            "TRACKER_MAIL_SERVER": "127.0.0.1",
            "TRACKER_MAIL_PORT": str(self.smtp.port),
            "TRACKER_MAIL_DEFAULT_SENDER": "Tracker <tracker@northshire.example>",
            "TRACKER_PUBLIC_URL": self.url,
            "TRACKER_REPORT_QUEUE_SECONDS": "1",
            "TRACKER_DELIVERY_QUEUE_SECONDS": "1",
            # The journey sends its reminders with "Run reminders now", not the morning run.
            "TRACKER_REMINDER_TIME": "23:59",
            **self.settings,
        }

    def start(self, moment: datetime | None = None) -> None:
        """Start the web server and the scheduler, at `moment` (None: the real clock)."""
        self.stop()
        at = moment.isoformat() if moment else "now"
        serve = [sys.executable, str(ROOT / "tests" / "browser" / "serve.py"), at]
        logs = self.folder / "logs"
        logs.mkdir(exist_ok=True)
        for name, arguments in (
            ("web", ["run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload",
                     "--no-debugger"]),
            ("scheduler", ["scheduler"]),
        ):
            log = (logs / f"{name}.log").open("ab")
            self.processes.append(subprocess.Popen(
                serve + arguments, cwd=ROOT, env=self.environment(), stdout=log,
                stderr=subprocess.STDOUT))
        self._wait_until_serving()

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/sign-in", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"The tracker did not start: see {self.folder / 'logs'}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def _seed(site: Site) -> None:
    people = {key: [p.name, p.email, p.password] for key, p in site.people.items()}
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "browser" / "seed.py"), json.dumps(people),
         site.committee_name],
        cwd=ROOT, env=site.environment(), check=True, capture_output=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory, database_kind):
    if database_kind != "sqlite":
        pytest.skip("the browser journey runs once, in the SQLite run, on a database of its "
                    "own: it tests the pages in Chromium, which do not change with the database")
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium with apt")
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` installs it with npm ci")
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("The Nu HTML Checker is missing: `make test` installs Java and vnu-jar")
    folder = tmp_path_factory.mktemp("served")
    people = {
        "admin": Person("Alex Admin", "alex.admin@northshire.example", PASSWORDS["admin"]),
        "manager": Person("Meg Lead", "meg.lead@northshire.example", PASSWORDS["manager"]),
        "member": Person("Councillor Ann Hughes", "ann.hughes@northshire.example",
                         PASSWORDS["member"]),
    }
    smtp = SmtpServer(free_port())
    smtp.start()
    served = Site(folder, free_port(), smtp, people,
                  "Children's Services Scrutiny Committee")
    _seed(served)
    try:
        yield served
    finally:
        served.stop()
        smtp.stop()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


class HtmlChecker:
    """The Nu HTML Checker (vnu-jar) served on 127.0.0.1 once for the whole run: the markup
    of each page a journey visits is posted to it."""

    process: subprocess.Popen | None = None
    port = 0

    @classmethod
    def errors(cls, html: str) -> list[str]:
        """The checker's errors for the page's markup, as "line N: message" (no warnings)."""
        cls._start()
        request = urllib.request.Request(
            f"http://127.0.0.1:{cls.port}/?out=json", data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"}, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [f"line {m.get('lastLine', '?')}: {m['message']} ({m.get('extract', '').strip()})"
                for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]

    @classmethod
    def _start(cls) -> None:
        if cls.process is not None:
            return
        cls.port = free_port()
        cls.process = subprocess.Popen(
            ["java", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp",
             str(VNU), "nu.validator.servlet.Main", str(cls.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(cls.process.terminate)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{cls.port}/", timeout=10):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("The Nu HTML Checker did not start")


_REVEALING_INPUT = re.compile(
    r'<input class="govuk-(?:radios|checkboxes)__input"[^>]*\baria-controls="[^"]*"[^>]*>')


def without_govuk_reveal_state(html: str) -> str:
    """The page's markup without the aria-expanded that GOV.UK Frontend's script puts on a
    radio or checkbox revealing its fields: the known, deliberate exception axe is told of
    (_AXE_VIOLATIONS). The markup as served has none (it carries data-aria-controls)."""
    return _REVEALING_INPUT.sub(
        lambda tag: re.sub(r'\saria-expanded="(?:true|false)"', "", tag.group(0)), html)


# What a sighted reader sees in an element: its text without the words GOV.UK hides for
# screen readers (govuk-visually-hidden) or that are not shown at all.
_SEEN_TEXT = r"""
(element) => {
  const seen = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return "";
    if (node.classList.contains("govuk-visually-hidden")) return "";
    const style = getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden") return "";
    if (["SCRIPT", "STYLE", "TEMPLATE"].includes(node.tagName)) return "";
    if (["SELECT", "OPTION", "TEXTAREA"].includes(node.tagName)) return " ";
    return " " + Array.from(node.childNodes).map(seen).join("") + " ";
  };
  return seen(element).replace(/\s+/g, " ").trim();
}
"""

# Each card, table row and summary-list row of the page with its title (the card's title,
# the row's first cell, the summary row's first link) and what a sighted reader sees in it.
_TITLED_PARTS = r"""
(seenText) => {
  const seen = eval(seenText);
  const parts = [];
  for (const card of document.querySelectorAll(".govuk-summary-card")) {
    const title = card.querySelector(".govuk-summary-card__title");
    if (title) parts.push({kind: "card", title: seen(title), text: seen(card)});
  }
  for (const row of document.querySelectorAll("main tr")) {
    const first = row.querySelector("th, td");
    if (first) parts.push({kind: "table row", title: seen(first), text: seen(row)});
  }
  for (const row of document.querySelectorAll(".govuk-summary-list__row")) {
    // A summary row's title is the first link of its value (an item, an action), if any;
    // and its value must not be one text shown twice over.
    const value = row.querySelector(".govuk-summary-list__value");
    if (!value) continue;
    const link = value.querySelector("a");
    if (link) parts.push({kind: "summary list row", title: seen(link), text: seen(row)});
    const text = seen(value);
    const doubled = text.match(/^(.{8,}?)\W*\1\W*$/);
    if (doubled) parts.push({kind: "summary list row", title: doubled[1], text: text + " " + text});
  }
  return {parts, main: seen(document.querySelector("main"))};
}
"""

# Markup or markdown shown as text: a tag, or a markdown heading.
RAW_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*[\s>/]|(?:^|\s)#{2,6}\s")


def shown_twice_or_raw(page, typed: Iterable[str] = ()) -> list[str]:
    """The cards, table rows and summary-list rows that show their own title twice to a
    sighted reader, and any markup shown as text on the page, apart from `typed`: text a
    person typed, markup and all, which the page rightly shows as typed."""
    found = page.evaluate(_TITLED_PARTS, _SEEN_TEXT)
    for text in typed:
        found["main"] = found["main"].replace(" ".join(text.split()), " ")
    problems = []
    for part in found["parts"]:
        title = part["title"]
        if len(title) >= 8 and part["text"].count(title) > 1:
            problems.append(f"{part['kind']} shows {title!r} twice: {part['text'][:200]!r}")
    for match in RAW_MARKUP.finditer(found["main"]):
        start = max(match.start() - 40, 0)
        problems.append(f"markup shown as text: {found['main'][start:match.end() + 40]!r}")
    return problems


# axe-core's violations of the page. One is GOV.UK Frontend's on purpose, and is not counted:
# a radio or checkbox that reveals its conditional fields carries aria-expanded, which ARIA
# does not list for those roles, because screen readers announce it and users were helped by
# it in GOV.UK's research (alphagov/govuk-frontend#979, a known issue of the Design System).
_AXE_VIOLATIONS = r"""
async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  const govukReveal = (node) => {
    const element = document.querySelector(node.target.join(' '));
    const summary = node.failureSummary || '';
    return element !== null && element.matches(
      '.govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]')
      && /aria-expanded=/.test(summary) && !/aria-(?!expanded=)[a-z]+=/.test(summary);
  };
  return result.violations
    .map(v => ({id: v.id, help: v.help, nodes: v.nodes.filter(
      n => !(v.id === 'aria-allowed-attr' && govukReveal(n)))}))
    .filter(v => v.nodes.length > 0)
    .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}
"""


class Steps:
    """Numbered screenshots of a journey, and axe-core on each page it visits."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0
        self.axe = AXE.read_text(encoding="utf-8")
        # Text the journey typed with markup in it on purpose, shown as typed.
        self.typed: set[str] = set()

    def snap(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)

    def narrow(self, page, name: str) -> None:
        """A screenshot of the page as a 375-pixel-wide phone shows it."""
        size = page.viewport_size
        page.set_viewport_size({"width": 375, "height": 800})
        self.snap(page, f"{name}-375")
        page.set_viewport_size(size)

    def check(self, page, name: str) -> None:
        """A screenshot, then axe-core (no WCAG 2.2 A or AA violation on the page), no card,
        table row or summary list showing its own title twice or markup as text, and no
        error from the Nu HTML Checker."""
        self.snap(page, name)
        page.evaluate(self.axe)  # through the DevTools protocol, so the page's CSP allows it
        violations = page.evaluate(_AXE_VIOLATIONS, WCAG_TAGS)
        assert violations == [], f"{name} ({page.url}): {violations}"
        assert shown_twice_or_raw(page, self.typed) == [], f"{name} ({page.url})"
        errors = HtmlChecker.errors(without_govuk_reveal_state(page.content()))
        assert errors == [], f"{name} ({page.url}): the Nu HTML Checker finds {errors}"


def sign_in(browser, site: Site, who: str, steps: Steps | None = None, **context_options):
    """A new browser session signed in as `who`; its page."""
    context = browser.new_context(base_url=site.url, **context_options)
    page = context.new_page()
    person = site.people[who]
    page.goto("/sign-in")
    if steps:
        steps.check(page, f"sign-in-{who}")
        page.get_by_role("button", name="Sign in").click()
        steps.check(page, f"sign-in-{who}-with-errors")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/")
    return page


def later(days: int) -> datetime:
    """`days` from now, at 9am UTC."""
    day = date.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def import_letter(page, letter_path: str) -> str:
    """An administrator's page imports the letter and creates its inspection and tracked items
    as read; the inspection's address."""
    page.goto("/inspections/import")
    page.get_by_label("Upload the letter or report").set_input_files(letter_path)
    page.get_by_role("button", name="Read the document").click()
    page.wait_for_url(re.compile(r"/inspections/import/\d+$"))
    page.get_by_role("button", name="Create inspection and tracked items").click()
    inspection = after_confirming(page)
    page.goto(inspection)
    return inspection


def after_confirming(page) -> str:
    """The inspection's address, once confirming an import has led to its next steps."""
    page.wait_for_url(re.compile(r"/inspections/\d+/next-steps$"))
    return page.url.removesuffix("/next-steps")


def import_a_recent_letter(page, folder: Path) -> str:
    """`import_letter` with a Northshire letter of 20 days ago, written into `folder`."""
    letter_date, visits = letter_dates(date.today(), 20)
    letter = folder / "northshire-letter.txt"
    letter.write_text(older_letter(letter_date, visits).text, encoding="utf-8")
    return import_letter(page, str(letter))


def fill_date(page, day: date) -> None:
    """Type `day` into the page's one GOV.UK date input."""
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def add_action(page, description: str, *, owner: str, due: date) -> None:
    """On an item's page: add an action owned by `owner` (as the select names them), due on
    `due`, and wait for it to be added."""
    page.get_by_role("button", name="Add an action").click()
    page.get_by_label("Action", exact=True).fill(description)
    page.get_by_label("Owner").select_option(label=owner)
    fill_date(page, due)
    page.get_by_role("button", name="Add action").click()
    page.get_by_text("Action added").wait_for()
