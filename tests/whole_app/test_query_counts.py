"""No query per row, anywhere: each page issues as many SQL statements over a large county's
data (bench data at scale 1) as over a twentieth of it (scale 0.05).

Both councils are built once for the module (scale 1 takes several seconds), each in its own
database: a copy of the migrated SQLite file, or a database made from the migrated template on
the test PostgreSQL server. Every page is asked for by each role that may see it, once to warm
up and once counted with SQLAlchemy's `before_cursor_execute` event.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import TEST_NOW
from tests.statements import recorded_statements
from tracker import clock, create_app
from tracker.accounts.models import User
from tracker.accounts.sessions import SESSION_KEY, start_session
from tracker.audit.models import HistoryEntry
from tracker.committees.models import Committee
from tracker.demo.bench import build_bench_data
from tracker.extensions import db
from tracker.inspections.models import Finding, Inspection
from tracker.items.models import OPEN_ACTION_STATUSES, Action, Item, ItemStatus
from tracker.reports.models import IssuedReport
from tracker.settings import settings

SCALES = (0.05, 1.0)
ADMIN, MANAGER, COUNCILLOR = "an administrator", "a manager", "a committee member"
EVERYONE = (ADMIN, MANAGER, COUNCILLOR)
STAFF = (ADMIN, MANAGER)


@dataclass
class Places:
    """The people and pages of one bench council."""

    users: dict[str, int]
    item: int
    action: int
    inspection: int
    committee: int
    issued: int


# Each page: who may see it, and its address in a council.
PAGES: dict[str, tuple[tuple[str, ...], Callable[[Places], str]]] = {
    "dashboard": (EVERYONE, lambda p: "/"),
    "items list": (EVERYONE, lambda p: "/items"),
    "items list, filtered": (
        EVERYONE, lambda p: f"/items?status=open&priority=medium&owner={p.users[MANAGER]}&q=e"),
    "items list, red only": (EVERYONE, lambda p: "/items?state=red"),
    "items list, not planned": (EVERYONE, lambda p: "/items?state=not+planned"),
    "item page": (EVERYONE, lambda p: f"/items/{p.item}"),
    # A later page of its history (at scale 0.05 the item has fewer entries: its last page).
    "item page, older history": ((ADMIN,), lambda p: f"/items/{p.item}?page=3"),
    "action page": (EVERYONE, lambda p: f"/actions/{p.action}"),
    "action update form": (STAFF, lambda p: f"/actions/{p.action}/update"),
    "my actions": (STAFF, lambda p: "/my-actions"),
    "inspections list": (EVERYONE, lambda p: "/inspections"),
    "inspection page": (EVERYONE, lambda p: f"/inspections/{p.inspection}"),
    "committees list": (EVERYONE, lambda p: "/committees"),
    "committee page": (EVERYONE, lambda p: f"/committees/{p.committee}"),
    "reports list": (EVERYONE, lambda p: "/reports"),
    "issued report": (EVERYONE, lambda p: f"/reports/{p.issued}"),
    "draft report": (STAFF, lambda p: f"/committees/{p.committee}/report"),
    "users list": ((ADMIN,), lambda p: "/users"),
    "reminders admin page": ((ADMIN,), lambda p: "/admin/reminders"),
}
PAGE_ROLES = [(page, role) for page, (roles, _) in PAGES.items() for role in roles]


@contextmanager
def scratch_database(request, database_kind: str, template: str, folder) -> Iterator[str]:
    """A database of our own for the module, its schema already migrated."""
    if database_kind == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = f"counts_{uuid.uuid4().hex[:12]}"
        server.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield server.url(name)
        finally:
            server.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    path = folder / "bench.sqlite"
    shutil.copyfile(template, path)
    yield f"sqlite:///{path}"


def _places(summary) -> Places:
    council_id = summary.council_id
    emails = {ADMIN: summary.admin_email, MANAGER: summary.busiest_manager_email,
              COUNCILLOR: summary.councillor_email}
    users = {role: db.session.scalar(select(User.id).where(User.email == email))
             for role, email in emails.items()}
    in_council = (select(Item.id).join(Item.finding).join(Finding.inspection)
                  .where(Inspection.council_id == council_id))
    # The open item with the most actions, and the manager's open action with the longest
    # history (the manager may update it).
    item = db.session.scalar(
        select(Action.item_id).where(Action.item_id.in_(
            in_council.where(Item.status == ItemStatus.OPEN)))
        .group_by(Action.item_id).order_by(func.count().desc(), Action.item_id).limit(1))
    action = db.session.scalar(
        select(HistoryEntry.action_id).join(HistoryEntry.action)
        .where(HistoryEntry.item_id.in_(in_council), Action.owner_id == users[MANAGER],
               Action.status.in_(OPEN_ACTION_STATUSES))
        .group_by(HistoryEntry.action_id)
        .order_by(func.count().desc(), HistoryEntry.action_id).limit(1))
    # The newest letter, whose plan is still due.
    inspection = db.session.scalar(
        select(Inspection.id).where(Inspection.council_id == council_id)
        .order_by(Inspection.letter_date.desc()).limit(1))
    committee = db.session.scalar(
        select(Committee.id).where(Committee.council_id == council_id).order_by(Committee.id)
        .limit(1))
    issued = db.session.scalar(
        select(IssuedReport.id).where(IssuedReport.committee_id == committee)
        .order_by(IssuedReport.version.desc()).limit(1))
    return Places(users, item, action, inspection, committee, issued)


def count_statements(scale: float, database_uri: str, instance_path) -> dict:
    """Build the bench council, then count what each page asks of the database."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key", "SERVER_NAME": "tracker.test",
        "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        summary = build_bench_data(scale, council_name=None, today=clock.today(),
                                   now=clock.now(), rules=settings().status_rules,
                                   password="a password for the bench")
        db.session.commit()
        places = _places(summary)
        engine = db.engine
        db.session.remove()
    counted = {}
    try:
        with recorded_statements(engine) as statements:
            client = app.test_client()
            for page, role in PAGE_ROLES:
                with app.app_context():
                    user = db.session.get(User, places.users[role])
                    secret = start_session(user, now=clock.now())
                    db.session.commit()
                with client.session_transaction() as session:
                    session.clear()
                    session["_user_id"] = str(places.users[role])
                    session[SESSION_KEY] = secret
                    session["_fresh"] = True
                path = PAGES[page][1](places)
                for _warm_up_then_count in range(2):
                    statements.clear()
                    response = client.get(path)
                    assert response.status_code == 200, (
                        f"{page} as {role} ({path}) answered {response.status_code} at scale "
                        f"{scale:g}")
                counted[page, role] = list(statements)
    finally:
        with app.app_context():
            db.engine.dispose()
    return counted


@pytest.fixture(scope="module")
def statements_by_scale(request, database_kind, migrated_database, tmp_path_factory):
    """{scale: {(page, role): [SQL statements]}} for both scales."""
    counted = {}
    with time_machine.travel(TEST_NOW, tick=False), pytest.MonkeyPatch.context() as patch:
        for scale in SCALES:
            folder = tmp_path_factory.mktemp(f"scale-{scale:g}")
            patch.setenv("TRACKER_INSTANCE_PATH", str(folder / "instance"))
            with scratch_database(request, database_kind, migrated_database,
                                  folder) as database_uri:
                counted[scale] = count_statements(scale, database_uri, folder)
    return counted


def _first_line(statement: str) -> str:
    return " ".join(statement.split())[:160]


@pytest.mark.parametrize(("page", "role"), PAGE_ROLES, ids=[f"{p} as {r}" for p, r in PAGE_ROLES])
def test_a_page_asks_the_database_as_often_for_a_large_county_as_for_a_small_one(
    statements_by_scale, page, role
):
    small, large = (statements_by_scale[scale][page, role] for scale in SCALES)
    extra = Counter(map(_first_line, large)) - Counter(map(_first_line, small))
    missing = Counter(map(_first_line, small)) - Counter(map(_first_line, large))
    assert len(small) == len(large), (
        f"{page} as {role}: {len(small)} SQL statements at scale {SCALES[0]:g}, "
        f"{len(large)} at scale {SCALES[1]:g}. Only at scale {SCALES[1]:g}: "
        f"{dict(extra)}; only at scale {SCALES[0]:g}: {dict(missing)}")


@pytest.mark.parametrize(("page", "role"), PAGE_ROLES, ids=[f"{p} as {r}" for p, r in PAGE_ROLES])
def test_a_page_never_asks_the_same_question_twice(statements_by_scale, page, role):
    # A query per row repeats one statement with other values: caught here even when the
    # two councils happen to need the same number of them.
    for scale in SCALES:
        repeated = {text: n for text, n in Counter(
            " ".join(statement.split()) for statement in statements_by_scale[scale][page, role]
        ).items() if n > 1}
        assert not repeated, f"{page} as {role} at scale {scale:g} repeats {repeated}"


def test_every_page_was_counted_and_none_is_query_free(statements_by_scale):
    # A page answered from nowhere would mean the listener missed its statements.
    for scale in SCALES:
        assert set(statements_by_scale[scale]) == set(PAGE_ROLES)
        assert all(statements_by_scale[scale].values())
