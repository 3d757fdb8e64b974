"""Generated bodies posted to every form and endpoint (hypothesis): nothing breaks, nothing is
written on a refusal, and nobody reaches beyond their role or their council.

The routes come from the app's URL map (every rule that accepts POST), so a new form is covered
the day it is added. Each form's field names, options and current values are read from the
page that holds it: the route's own page if it has one, else the nearest page above it with a
`<form method="post">` (or a button's `formaction`) that posts to it.

The bodies mix those fields' valid-looking values with missing fields, wrong types (lists,
text in number and date boxes, text where a file goes, numbers and nulls in JSON),
100,000-character strings, control characters and NUL, right-to-left text, emoji and combining
marks, script tags, Word field codes, number-like junk, and the ids of another council's
objects, in the body and in the URL. They are sent as form data, multipart, bytes that are not
UTF-8 and JSON, by an administrator, a plain manager, an item's lead officer (a manager), a
committee member and a stranger. After every request:

- the status is never 500 and no traceback is shown;
- a refusal (4xx, or a stranger sent to sign in) leaves every table as it was;
- a role the route's access rule refuses, or the object's rule refuses (the route's own page
  answers it 403), never gets a 2xx or 3xx; nor does a URL naming another council's object;
- another council's rows never change, and no row written points at one of them;
- a posted script tag is never echoed unescaped, on the page or on the page a redirect leads
  to, and a redirect never leaves the site.

The query strings of every page (GET) have a test of their own beside this one:
test_generated_queries.py.

Requests whose body is not read (refused, or sent elsewhere first) get two bodies each; the
rest of TOTAL_BODIES is shared by the size of each form, each form first getting a few shaped
bodies (all valid, empty, script in every text, ...). Every run posts the same bodies: each
route and role has a seed of its own, and hypothesis keeps no example database.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import traceback
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask, redirect, request, url_for
from flask.testing import FlaskClient
from flask_login import current_user
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import Engine, MetaData, event, select, update
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from tests.conftest import sign_in_as
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CommitteeMemberFactory,
    CouncilFactory,
    UserFactory,
)
from tests.whole_app.test_access_matrix import (
    ENDPOINT_MAKERS,
    ROLE_OF,
    WORLD_MAKERS,
    World,
    access_rule_of,
    app_rules,
    parameters_without_maker,
)
from tracker import PROJECT_ROOT, clock
from tracker.accounts.models import Role, User
from tracker.accounts.sessions import start_session, user_of_session
from tracker.extensions import db
from tracker.permissions import ADMIN_ONLY, PUBLIC, allow

TOTAL_BODIES = 1000
BODIES_WHEN_UNREAD = 2
MOST_FIELDS_WEIGHED = 12

ROLES = ("admin", "manager", "lead officer", "committee member", "anonymous")
ROLE = {**ROLE_OF, "lead officer": Role.MANAGER}

# A refused sign-in, or a refused "Forgotten your password?" past the network's limit, is
# recorded and committed on purpose (tracker/accounts/signin.py, views.py); the sign-in record
# is install-wide, so it may name anyone.
ADDED_WHEN_REFUSED = {"accounts.sign_in": {"sign_in_event"},
                      "accounts.forgotten_password": {"sign_in_event"}}
INSTALL_WIDE_TABLES = {"sign_in_event"}


@pytest.fixture(autouse=True)
def hypothesis_writes_nothing_here(tmp_path):
    # Even with database=None, hypothesis caches what it works out (Unicode tables, the
    # constants in our modules) under .hypothesis/: keep that in the test's own folder.
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


# --- Values ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
MARKUP = (
    SCRIPT,
    '"><script>alert(1)</script>',
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
)
# Each payload above starts one of these; escaped, none can appear on a page.
ECHO_MARKERS = ("<script>alert(1)", "<img src=x onerror=alert(1)>")
WORD_FIELD_CODES = (
    '{ DDEAUTO "c:\\\\windows\\\\system32\\\\cmd.exe" "/k calc.exe" }',
    '{ INCLUDETEXT "\\\\\\\\attacker.example\\\\share\\\\x.docx" }',
    '{ HYPERLINK "javascript:alert(1)" }',
    "\x13 MERGEFIELD name \\* MERGEFORMAT \x14«name»\x15",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)
UNICODE = (
    "\u202etxt.exe",
    "Ofsted \u202bمراجعة الحالة\u202c review",
    "שלום עולם",
    "👩‍👩‍👧‍👦🚸🏳️‍🌈",
    "Z\u0337\u0322\u034ea\u0335\u0321l\u0334\u0327g\u0338\u0331o",
    "e\u0301\u0301\u0301\u0301",
    "\ufeff\u200b\u200d\u2060",
    "line\u2028break\u2029",
    "𝕳𝖊𝖑𝖑𝖔 ﬁ ß İ",
    "\uffff\ufffe",
)
CONTROL = ("\x00", "before\x00after", "\r\n\r\n", "\x1b[31mred", "\x7f\x08\x07", "\t\v\f")
# Where an id or a number goes. Digits that are not ASCII pass str.isdigit(), and int()
# takes "١٢" and "１２" but refuses "²".
ODD_DIGITS = ("²", "¹²", "١٢", "１２")
NUMBER_LIKE = ("", " ", "0", "-1", "1.5", "1e400", "NaN", "0x1F", "99999999999999999999",
               "null", "1; DROP TABLE item")
HUGE_PIECES = ("x", "é", SCRIPT, "👍", "a\u0301", "\x01", "9", "{ DDE }")
HUGE = 100_000

DATES = (("6", "11", "2026"), ("31", "3", "2027"), ("14", "1", "2027"), ("29", "2", "2028"))
BAD_DATES = (
    ("31", "2", "2027"), ("", "3", "2027"), ("0", "0", "0000"), ("1", "1", "99999"),
    ("²", "3", "2027"), ("١", "٣", "٢٠٢٧"), ("-1", "13", "2027"), ("thirty", "3", "2027"),
)
LETTER = ("Dear Director\n\nAreas for development\n\n- Case records do not consistently show "
          "the child's views.\n- Supervision is not always recorded.\n\nYours sincerely\n")
# Valid-looking text for a text box, by a word in its name (the last match wins).
TEXT_BY_NAME = {
    "text": (LETTER, "Plans for children do not always have clear timescales."),
    "email": ("new.person@northshire.example",),
    "telephone": ("01632 960 001", "+44 808 157 0192"),
    "link": ("https://intranet.northshire.example/audit/2026", ""),
    "time": ("09:00", "17:30"),
    "months": ("1,4,7,10", "", "march, june"),
    "day": ("15", "1st mon", "last fri", "5"),
    "visit_dates": ("28 6 2026, 29 6 2026", ""),
}
SENTENCES = ("Themed audit of children's case files", "Voice of the child", "")
FILES = (
    (LETTER.encode(), "letter.txt"),
    (b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "letter.pdf"),
    (b"PK\x03\x04\x14\x00\x00\x00not really a zip", "letter.docx"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "letter.txt"),
)
FILE_NAMES = ("", "../../etc/passwd", "<script>alert(1)</script>.txt", "letter\x00.txt",
              "é" * 300 + ".txt", "letter")
QUERIES = ("next=//attacker.example/", "next=https://attacker.example/", "back=my-actions",
           "next=/items?q=" + SCRIPT, "page=%00", "inspection=1")
EXTRA_NAMES = ("id", "council_id", "role", "version", "csrf_token", "_method", "user_id",
               "findings-0-text", "findings-999-category")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)


def short(value: object, limit: int = 120) -> str:
    """A value as a failure message shows it: a long one cut, with its length."""
    text = repr(value)
    if len(text) <= limit or isinstance(value, Upload):
        return text
    length = len(value) if isinstance(value, str | bytes) else len(text)
    return f"{text[:limit - 20]}…({length:,} long)"


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str

    def __repr__(self) -> str:
        return f"Upload({short(self.content, 60)}, named {short(self.filename)})"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class Body:
    """One generated request: form pairs (a name may repeat), their encoding (or a JSON
    document of its own), a query string, and the URL parameters that name another council's
    object instead of ours."""

    pairs: tuple[tuple[str, str | Upload], ...]
    encoding: str = "form"
    json_document: str | None = None
    query: str | None = None
    foreign: tuple[str, ...] = ()

    def __repr__(self) -> str:
        if self.json_document is not None:
            content = f"json: {short(self.json_document)}"
        else:
            pairs = ", ".join(f"{name}={short(value)}" for name, value in self.pairs)
            content = f"{self.encoding}: {pairs or 'nothing'}"
        if self.query:
            content += f"; query {self.query!r}"
        if self.foreign:
            content += f"; URL ids of another council's objects: {', '.join(self.foreign)}"
        return f"Body({content})"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # How hypothesis shows a failing example: the same short form.
        printer.text(repr(self))

    @property
    def has_markup(self) -> bool:
        texts = [value for _, value in self.pairs if isinstance(value, str)]
        texts += [value.filename for _, value in self.pairs if isinstance(value, Upload)]
        texts += [self.query or "", self.json_document or ""]
        return any(marker in text for text in texts for marker in ECHO_MARKERS)


# --- The forms, read from their pages -------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # an input's type, or select, textarea, date (GOV.UK's three boxes), button
    options: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


class FormReader(HTMLParser):
    """The fields of each `<form method="post">` on a page, by the path it posts to."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: dict[str, dict[str, FormField]] = {}
        self.borrowed: set[str] = set()  # paths a button sends another action's form to
        self.form: dict[str, FormField] | None = None
        self.select: FormField | None = None
        self.textarea: FormField | None = None

    def _field(self, name: str, kind: str) -> FormField:
        assert self.form is not None
        return self.form.setdefault(name, FormField(name, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            if attr.get("method", "get").lower() == "post":
                action = urlsplit(attr.get("action") or self.page_path).path
                self.form = self.forms.setdefault(action, {})
            return
        if self.form is None:
            return
        if attr.get("formaction"):
            # A button that sends the same form elsewhere (the import's "Cancel import").
            path = urlsplit(attr["formaction"]).path
            self.forms.setdefault(path, self.form)
            self.borrowed.add(path)
        if tag == "option" and self.select is not None:
            self.select.options.append(attr.get("value", ""))
            if "selected" in attr:
                self.select.values.append(attr.get("value", ""))
        name = attr.get("name")
        if not name or name == "csrf_token":
            return
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if "govuk-date-input__input" in attr.get("class", ""):
                kind = "date"
            found = self._field(name, kind)
            if kind in ("radio", "checkbox"):
                found.options.append(attr.get("value", "on"))
                if "checked" in attr:
                    found.values.append(attr.get("value", "on"))
            elif kind != "date" and attr.get("value"):
                found.values.append(attr["value"])
        elif tag == "select":
            self.select = self._field(name, "select")
        elif tag == "textarea":
            self.textarea = self._field(name, "textarea")
        elif tag == "button":
            self._field(name, "button").options.append(attr.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None and data.strip():
            self.textarea.values.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def pages_that_may_hold_the_form(rule: Rule, path: str) -> list[str]:
    """The route's own page (its own GET, or another route's at the same address), then each
    page above it."""
    pages = [path]
    while path not in ("", "/"):
        path = path.rsplit("/", 1)[0] or "/"
        pages.append(path)
    return pages


def read_form(app: Flask, readers: list[User], rule: Rule, path: str,
              session_of: Callable[[User], str]) -> tuple[list[FormField], bool]:
    """The fields of the form that posts to `path`, and whether they are another action's
    form sent there by a button; AssertionError if no page holds one. Each reader is tried in
    turn (some forms show only to the owner of a thing), then a stranger; `session_of` gives
    a reader's session, made before any request is watched."""
    for user in (*readers, None):
        client = app.test_client()
        if user is not None:
            sign_in_as(client, user, session_of(user))
        for page in pages_that_may_hold_the_form(rule, path):
            response = client.get(page)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            reader = FormReader(page)
            reader.feed(response.get_data(as_text=True))
            if path in reader.forms:
                return list(reader.forms[path].values()), path in reader.borrowed
    raise AssertionError(f"No page holds a form that posts to {path}")


# --- Strategies -----------------------------------------------------------------------------

MISSING = object()
ID_KINDS = ("select", "radio", "checkbox", "hidden", "button")


def hostile_strings(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(MARKUP),
        st.sampled_from(WORD_FIELD_CODES),
        st.sampled_from(UNICODE),
        st.sampled_from(CONTROL),
        st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"]),
                min_size=1, max_size=8),
        number_like(),
        st.sampled_from(ids),
        st.sampled_from(HUGE_PIECES).map(lambda piece: (piece * HUGE)[:HUGE]),
        st.text(st.characters(codec="utf-8"), max_size=40),
    )


def number_like() -> st.SearchStrategy[str]:
    return st.sampled_from(ODD_DIGITS) | st.sampled_from(NUMBER_LIKE)


def valid_values(form_field: FormField, emails: list[str] = ()) -> list:
    """What a person could have typed or chosen in this field, the likeliest first."""
    choices = [value for value in form_field.values + form_field.options if value]
    if form_field.kind == "date":
        return [list(parts) for parts in DATES]
    if form_field.kind == "file":
        return [MISSING] + [Upload(*pair) for pair in FILES]
    if form_field.kind == "password":
        return [PASSWORD, "a much longer pass phrase for 2027"]
    if form_field.kind == "checkbox":
        return [[]] + [[choice] for choice in choices] + [choices[:3]]
    if form_field.kind in ID_KINDS:
        return choices or [""]
    samples = list(SENTENCES)
    for word, texts in TEXT_BY_NAME.items():
        if word in form_field.name:
            samples = list(texts)
    if "email" in form_field.name:
        samples += emails
    return choices + samples


def any_values(form_field: FormField, ids: list[str]) -> st.SearchStrategy:
    """The field missing, posted as anything, or posted several times."""
    one = hostile_strings(ids)
    strategies = [st.just(MISSING), one, st.lists(one, max_size=4)]
    if form_field.kind == "date":
        strategies.append(st.sampled_from(BAD_DATES).map(list))
    if form_field.kind in ID_KINDS:
        strategies += [number_like(), st.sampled_from(ids)]
    if form_field.kind == "file":
        contents = [content for content, _ in FILES]
        strategies.append(st.builds(Upload, st.sampled_from(contents) | st.binary(max_size=300),
                                    st.sampled_from(FILE_NAMES)))
    return st.one_of(*strategies)


def shaped_body(fields: list[FormField], change: Callable[[FormField], object]) -> Body:
    """Every field at its likeliest valid value, but where `change` gives another."""
    pairs: list[tuple[str, str | Upload]] = []
    for form_field in fields:
        value = change(form_field)
        if value is None:
            value = valid_values(form_field)[0]
        if value is not MISSING:
            pairs += [(form_field.name, one) for one in
                      (value if isinstance(value, list) else [value])]
    return Body(tuple(pairs))


def is_typed(form_field: FormField) -> bool:
    return form_field.kind not in (*ID_KINDS, "date", "file", "password")


# Tried first on every form whose body is read, before the generated bodies.
SHAPED_BODIES = {
    "valid": lambda form_field: None,
    "empty": lambda form_field: MISSING,
    "script in every text": lambda form_field: SCRIPT if is_typed(form_field) else None,
    "huge text everywhere": lambda form_field: ("x" * HUGE) if is_typed(form_field) else None,
    "a digit int() refuses in every id": (
        lambda form_field: ODD_DIGITS[0] if form_field.kind in ID_KINDS else None),
    "NUL in every text": lambda form_field: "before\x00after" if is_typed(form_field) else None,
    "empty texts, and a letter uploaded under a name with NUL": lambda form_field: (
        Upload(LETTER.encode(), "letter\x00.txt") if form_field.kind == "file"
        else "" if is_typed(form_field) else None),
}


MODES = ("valid", "one bad field", "chaos", "other council's ids", "number-like ids")
ENCODINGS = ("form", "form", "form", "multipart", "bytes", "json")


# URL parameters that are credentials, not ids: another council's token opens that council's
# page by design (a partner's link, a calendar feed), so they are never swapped for another's.
CREDENTIALS = frozenset({"link_token", "feed_token", "reset_secret"})


def bodies(fields: list[FormField], foreign_ids: list[str], emails: list[str],
           parameters: tuple[str, ...]) -> st.SearchStrategy[Body]:
    """Bodies for one form. Each field's strategies are made once: making them per draw
    costs more than the request."""
    names = [form_field.name for form_field in fields]
    valid = {form_field.name: st.sampled_from(valid_values(form_field, emails))
             for form_field in fields}
    anything = {form_field.name: any_values(form_field, foreign_ids) for form_field in fields}
    foreign = {form_field.name: st.lists(st.sampled_from(foreign_ids), min_size=1, max_size=3)
               if form_field.kind == "checkbox" else st.sampled_from(foreign_ids)
               for form_field in fields}
    extra_field = st.tuples(st.sampled_from(EXTRA_NAMES) | st.sampled_from(UNICODE),
                            hostile_strings(foreign_ids))
    # Numbers, nulls, lists and objects where the fields expect text; or not an object.
    json_documents = (st.dictionaries(st.sampled_from(names or list(EXTRA_NAMES)), JSON_VALUES,
                                      max_size=len(names) + 1) | JSON_VALUES).map(json.dumps)

    @st.composite
    def body(draw) -> Body:
        mode = draw(st.sampled_from(MODES))
        junk = draw(number_like())  # the same in every id field: the first one read may be any
        bad = set()
        if mode == "one bad field" and names:
            bad = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)))
        pairs: list[tuple[str, str | Upload]] = []
        for form_field in fields:
            name = form_field.name
            if mode == "chaos" or name in bad:
                value = draw(anything[name])
            elif mode == "other council's ids" and form_field.kind in ID_KINDS:
                value = draw(foreign[name])
            elif mode == "number-like ids" and form_field.kind in ID_KINDS:
                value = junk
            else:
                value = draw(valid[name])
            if value is not MISSING:
                pairs += [(name, one) for one in (value if isinstance(value, list) else [value])]
        if draw(st.integers(0, 5)) == 0:
            pairs.append(draw(extra_field))
        encoding = draw(st.sampled_from(ENCODINGS))
        return Body(
            pairs=tuple(pairs),
            encoding=encoding,
            json_document=draw(json_documents) if encoding == "json" and draw(st.booleans())
            else None,
            query=draw(st.none() | st.none() | st.sampled_from(QUERIES)),
            foreign=tuple(name for name in parameters
                          if name not in CREDENTIALS and draw(st.integers(0, 5)) == 0),
        )

    return body()


# --- The database, compared before and after ------------------------------------------------

Snapshot = dict[str, dict[tuple, tuple]]


class Database:
    """Every row of every table by primary key (a few hundred rows), and whether anything was
    committed since `committed` was last cleared: a request that committed no statement that
    writes cannot have changed a row, so its snapshot is skipped."""

    def __init__(self) -> None:
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        self.tables = [table for name, table in sorted(metadata.tables.items())
                       if name != "alembic_version"]
        self.columns = {table.name: [column.name for column in table.columns]
                        for table in self.tables}
        self.references = {
            table.name: [(key.parent.name, key.column.table.name) for key in table.foreign_keys]
            for table in self.tables
        }
        self.writing: set[int] = set()
        self.committed = False

    def snapshot(self) -> Snapshot:
        rows: Snapshot = {}
        with db.engine.connect() as connection:
            for table in self.tables:
                key_columns = list(table.primary_key.columns) or list(table.columns)
                rows[table.name] = {
                    tuple(row._mapping[column] for column in key_columns): tuple(row)
                    for row in connection.execute(select(table))
                }
        return rows

    @contextmanager
    def watching_commits(self) -> Iterator[None]:
        """Note every commit of a statement other than a read, on any engine."""

        def executed(connection, cursor, statement, *args) -> None:
            words = statement.split(None, 1)
            if not words or words[0].upper() not in READS:
                self.writing.add(id(connection))

        def committed(connection) -> None:
            if id(connection) in self.writing:
                self.committed = True
            self.writing.discard(id(connection))

        def rolled_back(connection) -> None:
            self.writing.discard(id(connection))

        hooks = (("before_cursor_execute", executed), ("commit", committed),
                 ("rollback", rolled_back))
        for name, hook in hooks:
            event.listen(Engine, name, hook)
        try:
            yield
        finally:
            for name, hook in hooks:
                event.remove(Engine, name, hook)


class AppErrors(logging.Handler):
    """The exception behind the app's last error page (it logs each), for the failure
    message; while catching, the app's log is not printed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            frames = traceback.extract_tb(error.__traceback__)
            # The last line of ours it passed through, not the library's that raised.
            ours = [frame for frame in frames if frame.filename.startswith(str(PROJECT_ROOT))
                    and ".venv" not in frame.filename]
            where = (ours or frames)[-1]
            first_line = str(error).strip().split("\n", 1)[0]
            self.last = (f"{type(error).__name__}: {short(first_line)} at "
                         f"{os.path.relpath(where.filename)}:{where.lineno}")

    @contextmanager
    def catching(self, logger: logging.Logger) -> Iterator[None]:
        handlers, propagate = logger.handlers, logger.propagate
        logger.handlers, logger.propagate = [self], False
        try:
            yield
        finally:
            logger.handlers, logger.propagate = handlers, propagate


READS = {"SELECT", "PRAGMA", "SHOW", "SET", "SAVEPOINT", "RELEASE", "BEGIN", "EXPLAIN"}


def keys_of(snapshot: Snapshot) -> set[tuple[str, tuple]]:
    return {(table, key) for table, rows in snapshot.items() for key in rows}


def changes(before: Snapshot, after: Snapshot) -> dict[str, list[str]]:
    """Rows added, changed or removed, by table, in key order (PostgreSQL returns updated rows
    in a different order from SQLite, and the message must not depend on it)."""
    found: dict[str, list[str]] = {}
    for table, rows in after.items():
        old = before.get(table, {})
        keys, old_keys = sorted(rows, key=repr), sorted(old, key=repr)
        described = [f"added {key}" for key in keys if key not in old]
        described += [f"changed {key}" for key in keys if key in old and rows[key] != old[key]]
        described += [f"removed {key}" for key in old_keys if key not in rows]
        if described:
            found[table] = described
    return found


# --- The lab: our council's people and world, another council's, and the checks -------------


@dataclass
class Route:
    rule: Rule
    fields: list[FormField]
    refused: dict[str, bool]  # by role: does the access rule or the object's rule refuse?
    # By role: is the body read at all? Not when refused, nor when the route's own page sends
    # the person elsewhere (sign-in, signed in), nor by a button that borrows another form.
    reads_body: dict[str, bool] = field(default_factory=dict)


class Lab:
    """Our council (its people, and a World made again whenever a request changed it) and
    another council whose rows must never change."""

    def __init__(self, app: Flask, parameters: set[str]) -> None:
        self.app = app
        self.parameters = parameters
        self.secrets: dict[int, str] = {}
        self.database = Database()
        self.errors = AppErrors()
        self.council = CouncilFactory()
        self.people = {
            "admin": AdminFactory(council=self.council),
            # A plain manager: neither lead officer nor owner of anything in the world.
            "manager": UserFactory(council=self.council),
            "committee member": CommitteeMemberFactory(council=self.council),
        }
        start = self.database.snapshot()
        other = World(CouncilFactory())
        AdminFactory(council=other.council)
        CommitteeMemberFactory(council=other.council)
        self.other_values = self._url_values(other)
        self.before = self.database.snapshot()
        self.other_rows = {(table, key): self.before[table][key]
                           for table, key in keys_of(self.before) - keys_of(start)}
        self.foreign_ids = sorted({str(key[0]) for _, key in self.other_rows
                                   if len(key) == 1 and isinstance(key[0], int)}, key=int)
        self.emails = sorted(db.session.scalars(select(User.email)))
        self.remake_world()

    def _url_values(self, world: World) -> dict[str | None, dict[str, int | str]]:
        """The world's values of every URL parameter (under None), and of those some routes
        take from elsewhere (under the route's endpoint, see ENDPOINT_MAKERS)."""
        shared = {name: WORLD_MAKERS[name](world) for name in sorted(self.parameters)}
        return {None: shared, **{
            endpoint: {**shared, **{name: make(world) for name, make in makers.items()
                                    if name in self.parameters}}
            for endpoint, makers in ENDPOINT_MAKERS.items()}}

    def remake_world(self) -> None:
        previous = self.database.snapshot()
        world = World(self.council)
        self.lead_officer_id = world.item.lead_officer_id
        self.world_user_id = world.user.id
        self.requester_ids = [world.change.requested_by_id,
                              world.cancellation.requested_by_id]
        self.values = self._url_values(world)
        self.before = self.database.snapshot()
        self.world_rows = keys_of(self.before) - keys_of(previous)

    def form_readers(self) -> list[User]:
        """Whose pages a form is looked for on: the admin's, then the world's plain user's
        (whose own things, such as API tokens, only they see), then those of the people who
        asked the lead officer for something (only they may withdraw it)."""
        return [self.people["admin"],
                *(db.session.get(User, user_id)
                  for user_id in (self.world_user_id, *self.requester_ids))]

    @contextmanager
    def watching(self) -> Iterator[None]:
        with self.database.watching_commits(), self.errors.catching(self.app.logger):
            yield

    def client(self, role: str) -> FlaskClient:
        client = self.app.test_client()
        if role == "lead officer":
            user = db.session.get(User, self.lead_officer_id)
            sign_in_as(client, user, self.session_of(user))
        elif role != "anonymous":
            sign_in_as(client, self.people[role], self.session_of(self.people[role]))
        return client

    def session_of(self, user: User) -> str:
        """The secret of a session of `user` kept on the server, made (and committed) before
        the request, so that a request is never blamed for it; a new one when a request ended
        it (signing out, "sign out everywhere")."""
        secret = self.secrets.get(user.id)
        if secret is None or user_of_session(user.id, secret) is None:
            secret = start_session(user, now=clock.now())
            db.session.commit()
            self.secrets[user.id] = secret
            if hasattr(self, "before"):
                self.before = self.database.snapshot()
        return secret

    def path(self, rule: Rule, foreign: tuple[str, ...] = ()) -> str:
        ours = self.values.get(rule.endpoint, self.values[None])
        theirs = self.other_values.get(rule.endpoint, self.other_values[None])
        values = {name: (theirs if name in foreign else ours)[name] for name in rule.arguments}
        return urlsplit(url_for(rule.endpoint, **values)).path


def send(client: FlaskClient, path: str, body: Body):
    if body.query:
        path = f"{path}?{body.query}"
    strings = [(name, value) for name, value in body.pairs if isinstance(value, str)]
    if body.encoding == "json":
        document: dict[str, list[str]] = {}
        for name, value in strings:
            document.setdefault(name, []).append(value)
        return client.post(path, data=body.json_document or json.dumps(document),
                           content_type="application/json")
    if body.encoding == "bytes":
        # Percent-escapes and raw bytes that are not UTF-8.
        raw = urlencode(strings).encode() + b"&%FF%FE=%C0%80&\xff\xfe=\xc3"
        return client.post(path, data=raw, content_type="application/x-www-form-urlencoded")
    data = MultiDict()
    for name, value in body.pairs:
        data.add(name, (io.BytesIO(value.content), value.filename)
                 if isinstance(value, Upload) else value)
    if body.encoding == "multipart":
        return client.post(path, data=data, content_type="multipart/form-data")
    return client.post(path, data=data)


def is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and urlsplit(
        response.headers.get("Location", "")).path == "/sign-in"


def broken(response, error: str | None) -> str | None:
    if response.status_code >= 500:
        return f"status {response.status_code}" + (f" ({error})" if error else "")
    if b"Traceback (most recent call last)" in response.get_data():
        return "a traceback on the page"
    return None


def echoed_markup(response) -> list[str]:
    if response.mimetype != "text/html":
        return []
    page = response.get_data(as_text=True)
    return [marker for marker in ECHO_MARKERS if marker in page]


def problems_of(lab: Lab, route: Route, role: str, body: Body, response, after: Snapshot,
                client: FlaskClient) -> list[str]:
    """Every property the request broke, in words."""
    problems = []
    status = response.status_code
    if why := broken(response, lab.errors.last):
        problems.append(why)
    # A page anyone may use (a reset link) may send a stranger on to sign in when it is done.
    refused = status >= 400 or (role == "anonymous" and is_sent_to_sign_in(response)
                                and access_rule_of(lab.app, route.rule) != PUBLIC)
    if route.refused[role] and not refused:
        problems.append(f"the {role} is not allowed here but got {status}")
    if body.foreign and not refused:
        problems.append(f"a URL naming another council's object got {status}")
    written = changes(lab.before, after) if after is not lab.before else {}
    if refused:
        may_add = ADDED_WHEN_REFUSED.get(route.rule.endpoint, set())
        wrong = {table: rows for table, rows in written.items()
                 if table not in may_add or any(not row.startswith("added") for row in rows)}
        if wrong:
            problems.append(f"refused with {status} but wrote {short(wrong)}")
    changed_elsewhere = [f"{table} {key}" for (table, key), row in lab.other_rows.items()
                         if written and after[table].get(key) != row]
    if changed_elsewhere:
        problems.append(f"changed another council's rows: {short(changed_elsewhere)}")
    for table in set(written) - INSTALL_WIDE_TABLES:
        for key, row in after[table].items():
            if lab.before[table].get(key) == row:
                continue
            columns = dict(zip(lab.database.columns[table], row, strict=True))
            for column, target in lab.database.references[table]:
                if (target, (columns[column],)) in lab.other_rows:
                    problems.append(f"{table} {key} now points at another council's "
                                    f"{target} {columns[column]} ({column})")
    location = response.headers.get("Location", "")
    if 300 <= status < 400 and urlsplit(location).netloc not in ("", "tracker.test"):
        problems.append(f"redirected off the site, to {location}")
    shown = echoed_markup(response)
    if 300 <= status < 400 and body.has_markup and not is_sent_to_sign_in(response):
        # The next page shows the flash message and what was saved.
        following = client.get(location)
        if why := broken(following, lab.errors.last):
            problems.append(f"the page it redirected to ({location}) gave {why}")
        shown += echoed_markup(following)
    if shown:
        problems.append(f"echoed unescaped: {shown}")
    return problems


def post_and_check(lab: Lab, route: Route, role: str, body: Body) -> None:
    path = lab.path(route.rule, body.foreign)
    client = lab.client(role)
    lab.database.committed = False
    lab.errors.last = None
    try:
        response = send(client, path, body)
    except Exception as error:  # an exception out of the app is as bad as a 500
        response, problems = None, [f"raised {error!r}"]
    after = lab.database.snapshot() if lab.database.committed else lab.before
    if response is not None:
        problems = problems_of(lab, route, role, body, response, after, client)
    changed_world = after is not lab.before and any(
        after[table].get(key) != lab.before[table].get(key) for table, key in lab.world_rows)
    lab.before = after
    if changed_world:
        # A fresh world: the next request meets the objects as the page rules were read.
        lab.remake_world()
    if problems:
        raise AssertionError(f"POST {path} ({route.rule.endpoint}) as {role}: "
                             f"{'; '.join(problems)}\n  body: {body!r}")


def post_routes(app: Flask) -> list[Rule]:
    rules = [rule for rule in app_rules(app) if "POST" in rule.methods]
    unfilled = {rule.rule: sorted(parameters_without_maker(rule)) for rule in rules
                if parameters_without_maker(rule)}
    assert not unfilled, f"Add these URL parameters to WORLD_MAKERS: {unfilled}"
    return rules


def refused_by_the_role_gate(app: Flask, rule: Rule, role: str) -> bool:
    allowed = access_rule_of(app, rule)
    if allowed == PUBLIC:
        return False
    return role == "anonymous" or ROLE[role] not in allowed


def routes_of(app: Flask, lab: Lab) -> list[Route]:
    routes = []
    for rule in post_routes(app):
        path = lab.path(rule)
        fields, borrowed = read_form(app, lab.form_readers(), rule, path, lab.session_of)
        route = Route(rule, fields, {}, {})
        for role in ROLES:
            route.refused[role] = refused_by_the_role_gate(app, rule, role)
            page = 200
            if not route.refused[role] and "GET" in rule.methods:
                page = lab.client(role).get(path).status_code
                # The object's rule: the route's own page refuses this person.
                route.refused[role] = page == 403
            route.reads_body[role] = not (route.refused[role] or borrowed or 300 <= page < 400)
        routes.append(route)
    return routes


def bodies_for(routes: list[Route]) -> dict[tuple[str, str], int]:
    """How many bodies each route gets from each role: TOTAL_BODIES in all. Where the body is
    not read a few will do; the rest are shared by the size of the form."""
    unread = [(route.rule.endpoint, role) for route in routes for role in ROLES
              if not route.reads_body[role]]
    weights = {(route.rule.endpoint, role): 1 + min(len(route.fields), MOST_FIELDS_WEIGHED)
               for route in routes for role in ROLES if route.reads_body[role]}
    share = (TOTAL_BODIES - BODIES_WHEN_UNREAD * len(unread)) / sum(weights.values())
    return {**dict.fromkeys(unread, BODIES_WHEN_UNREAD),
            **{pair: math.ceil(weight * share) for pair, weight in weights.items()}}


def post_generated_bodies(lab: Lab, route: Route, role: str, count: int, shrink: bool) -> int:
    posted = []
    generated = count
    if route.reads_body[role]:
        generated = max(1, count - len(SHAPED_BODIES))

    # derandomize alone would give every route the same stream (it seeds from this nested
    # function's source); a seed of its own per route and role is as reproducible.
    @seed(zlib.crc32(f"{route.rule.endpoint} {role}".encode()))
    @settings(max_examples=generated, deadline=None, derandomize=True, database=None,
              phases=[phase for phase in Phase if shrink or phase is not Phase.shrink],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(body=bodies(route.fields, lab.foreign_ids, lab.emails, tuple(route.rule.arguments)))
    def post(body: Body) -> None:
        posted.append(body)
        post_and_check(lab, route, role, body)

    if route.reads_body[role]:
        for change in SHAPED_BODIES.values():
            post = example(body=shaped_body(route.fields, change))(post)
    post()
    # Snapshots are skipped after requests that committed no write: check none was missed.
    assert lab.database.snapshot() == lab.before, (
        f"POST {route.rule.rule} as {role}: the database changed unseen")
    return len(posted)


def test_generated_bodies_never_break_a_form_write_on_refusal_or_reach_beyond_a_role(app):
    # The hypothesis tests run inside this one, so the app and its database are made once.
    lab = Lab(app, {name for rule in post_routes(app) for name in rule.arguments})
    routes = routes_of(app, lab)
    plan = bodies_for(routes)
    posted = 0
    failures = []
    with lab.watching():
        for route in routes:
            for role in ROLES:
                try:
                    # Shrinking posts hundreds of bodies: the first failure's is enough.
                    posted += post_generated_bodies(lab, route, role,
                                                    plan[route.rule.endpoint, role],
                                                    shrink=not failures)
                except Exception as error:  # one route's failure must not hide another's
                    failures.append(str(error))
                    lab.remake_world()
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
    assert posted >= TOTAL_BODIES, f"only {posted} bodies were posted"
    assert len(routes) >= 25, "the URL map has lost its forms"


# --- CSRF -----------------------------------------------------------------------------------


def test_every_post_route_without_a_csrf_token_is_refused_and_writes_nothing(csrf_app):
    lab = Lab(csrf_app, {name for rule in post_routes(csrf_app) for name in rule.arguments})
    failures = []
    for rule in post_routes(csrf_app):
        path = lab.path(rule)
        body = shaped_body(read_form(csrf_app, lab.form_readers(), rule, path,
                                     lab.session_of)[0],
                           SHAPED_BODIES["valid"])
        for role, token in (("admin", None), ("admin", "forged"), ("anonymous", None)):
            data = MultiDict(body.pairs)
            if token:
                data["csrf_token"] = token
            response = lab.client(role).post(path, data=data)
            after = lab.database.snapshot()
            written = changes(lab.before, after)
            if response.status_code != 400 or written:
                failures.append(f"POST {path} as {role} with token {token!r}: "
                                f"{response.status_code}, wrote {short(written)}")
            lab.before = after
    assert not failures, "\n".join(failures)
    assert len(post_routes(csrf_app)) >= 25


# --- The checks themselves can fail ---------------------------------------------------------


def test_the_checks_catch_each_kind_of_planted_bug(app):
    def crashes():
        raise RuntimeError("planted")

    def writes_then_refuses():
        db.session.execute(update(User).values(job_title="Changed by a refusal"))
        db.session.commit()
        return "refused", 400

    def echoes():
        return f"<p>{request.form.get('title', '')}</p>"

    def ignores_its_rule():
        return "done", 200

    def changes_another_council():
        db.session.execute(update(User).where(User.council_id != current_user.council_id)
                           .values(job_title="Changed from another council"))
        return redirect("/")

    def sends_elsewhere():
        return redirect("https://attacker.example/")

    ignores_its_rule.access_rule = ADMIN_ONLY  # declared, never enforced
    planted = {
        "crashes": (allow(ADMIN_ONLY)(crashes), "admin",
                    "status 500 (RuntimeError: 'planted' at "
                    "tests/whole_app/test_generated_bodies.py:"),
        "writes": (allow(ADMIN_ONLY)(writes_then_refuses), "admin",
                   "refused with 400 but wrote {'user': ['changed (1,)'"),
        "echoes": (allow(ADMIN_ONLY)(echoes), "admin", "echoed unescaped: ['<script>alert(1)']"),
        "bypass": (ignores_its_rule, "manager", "the manager is not allowed here but got 200"),
        "elsewhere": (allow(ADMIN_ONLY)(changes_another_council), "admin",
                      "changed another council's rows: ['user"),
        "off-site": (allow(ADMIN_ONLY)(sends_elsewhere), "admin",
                     "redirected off the site, to https://attacker.example/"),
    }
    for name, (view, _, _) in planted.items():
        app.add_url_rule(f"/planted/{name}", name, view, methods=["POST"])
    lab = Lab(app, set())
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    body = Body((("title", SCRIPT),))
    caught = {}
    with lab.watching():
        for name, (_, role, _) in planted.items():
            route = Route(rules[name], [FormField("title", "text")],
                          {role: refused_by_the_role_gate(app, rules[name], role)
                           for role in ROLES})
            try:
                post_and_check(lab, route, role, body)
            except AssertionError as error:
                caught[name] = str(error)
    for name, (_, role, message) in planted.items():
        assert name in caught, f"the planted {name} bug was not caught"
        assert f"POST /planted/{name} ({name}) as {role}: " in caught[name]
        assert message in caught[name], caught[name]
        assert "body: Body(form: title='<script>alert(1)</script>')" in caught[name]
