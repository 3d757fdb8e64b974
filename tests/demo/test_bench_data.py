"""`flask --app tracker bench-data --scale N`: a made-up council for timing pages, in proportion
to a large county (scale 1: 200 items, 2,000 actions, 20,000 history entries, 50 users)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from tests.factories import CouncilFactory, ItemFactory, UserFactory
from tracker import clock
from tracker.accounts.models import Council, Role, User
from tracker.accounts.service import authenticate
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.committees.models import Committee
from tracker.demo.bench_plan import Sizes
from tracker.extensions import db
from tracker.inspections.models import Finding, FindingCategory, Inspection
from tracker.items.facts import stored_facts_differ
from tracker.items.models import (
    Action,
    ActionStatus,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
)
from tracker.items.queries import council_summary
from tracker.items.status import ShownStatus
from tracker.reports.service import issued_reports
from tracker.settings import default_settings

PASSWORD = "bench password for the tests"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture(scope="module")
def sizes() -> Sizes:
    return Sizes.at(0.05)


@pytest.fixture
def built(runner):
    """Bench data at scale 0.05, beside a council that was there before."""
    CouncilFactory(name="Northshire County Council")
    result = runner.invoke(args=["bench-data", "--scale", "0.05", "--council",
                                 "Benchshire Borough Council", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    council = db.session.scalar(select(Council).where(Council.name == "Benchshire Borough "
                                                                      "Council"))
    return council, result.output


def test_scale_one_is_a_large_county_and_ten_is_ten_times_it():
    one, ten = Sizes.at(1), Sizes.at(10)
    assert (one.items, one.actions, one.updates, one.users) == (200, 2000, 20000, 50)
    assert (one.committees, one.reports) == (3, 8)
    assert (ten.items, ten.actions, ten.updates, ten.users) == (2000, 20000, 200000, 500)
    assert (ten.committees, ten.reports) == (30, 80)


def test_a_twentieth_of_a_county_has_its_share_of_everything_and_some_of_each_kind(
    built, sizes
):
    # One build (several seconds) for every check.
    council, output = built
    _has_its_share(council, output, sizes)
    _has_every_state(council)
    _has_real_issued_reports(council)
    _has_a_committee_following_every_inspection(council)
    _accounts_sign_in(council)
    _items_keep_the_facts_of_their_actions(council)
    _new_rows_come_after(council)


def _has_its_share(council, output, sizes):
    assert (sizes.items, sizes.actions, sizes.updates) == (10, 100, 1000)
    in_council = Inspection.council_id == council.id
    items = list(db.session.scalars(
        select(Item).join(Item.finding).join(Finding.inspection).where(in_council)))
    item_ids = [item.id for item in items]
    assert len(items) == 10
    assert count(Action, Action.item_id.in_(item_ids)) == 100
    assert count(HistoryEntry, HistoryEntry.item_id.in_(item_ids)) == 1000
    users = list(db.session.scalars(select(User).where(User.council_id == council.id)))
    assert len(users) == sizes.users
    roles = {user.role for user in users}
    assert roles == set(Role)
    assert any(user.organisation for user in users), "a partner from another agency"
    assert "built in" in output and "10 tracked items" in output and "100 actions" in output


def _has_every_state(council):
    in_council = Inspection.council_id == council.id
    summary = council_summary(council.id, clock.today(), default_settings().status_rules)
    # Every state the bench plans: Red, Amber and Green in delivery, awaiting sign-off and
    # complete.
    assert all(summary.by_status[s] for s in (
        ShownStatus.RED, ShownStatus.AMBER, ShownStatus.GREEN, ShownStatus.AWAITING_SIGN_OFF,
        ShownStatus.COMPLETE)), summary.by_status
    items = select(Item.id).join(Item.finding).join(Finding.inspection).where(in_council)
    assert set(db.session.scalars(select(Item.status).where(Item.id.in_(items)))) \
        == set(ItemStatus)
    assert set(db.session.scalars(select(Action.status).where(Action.item_id.in_(items)))) \
        == set(ActionStatus)
    categories = set(db.session.scalars(
        select(Finding.category).join(Finding.inspection).where(in_council)))
    assert categories == set(FindingCategory)
    changes = select(DueDateChange.state).join(DueDateChange.action).where(
        Action.item_id.in_(items))
    assert {DueDateChangeState.APPROVED, DueDateChangeState.PENDING} <= set(
        db.session.scalars(changes))
    kinds = set(db.session.scalars(
        select(HistoryEntry.kind).where(HistoryEntry.item_id.in_(items))))
    assert {HistoryKind.CREATED, HistoryKind.STATUS_CHANGE, HistoryKind.COMMENTARY,
            HistoryKind.DUE_DATE_CHANGE, HistoryKind.MARKED_COMPLETE, HistoryKind.SIGN_OFF,
            HistoryKind.RAG_OVERRIDE} <= kinds
    assert summary.overdue_actions > 0 and summary.moved_actions > 0


def _has_real_issued_reports(council):
    page = issued_reports(council.id)
    assert page.total >= 1
    for report in page.rows:
        assert report.html.startswith(b"<!DOCTYPE html>") or b"<html" in report.html[:200]
        assert report.pdf.startswith(b"%PDF")
        assert report.docx.startswith(b"PK")
        for fmt in ("html", "pdf", "docx"):
            data = getattr(report, fmt)
            assert hashlib.sha256(data).hexdigest() == getattr(report, f"{fmt}_sha256")
    committee = db.session.scalar(select(Committee).where(Committee.council_id == council.id))
    assert committee.members and committee.meetings and committee.inspections


def _has_a_committee_following_every_inspection(council):
    # So the paper can be timed and its pages counted at the whole plan's size.
    inspections = set(db.session.scalars(
        select(Inspection.id).where(Inspection.council_id == council.id)))
    committees = list(db.session.scalars(
        select(Committee).where(Committee.council_id == council.id)))
    # (At this small scale the one other committee may follow every inspection too.)
    whole = sorted((c for c in committees if {i.id for i in c.inspections} == inspections),
                   key=lambda c: c.id)
    assert whole and len(committees) >= 2
    board = whole[-1]
    assert board.members and board.meetings
    assert issued_reports(council.id, board.id).total == 1


def _accounts_sign_in(council):
    for user in db.session.scalars(select(User).where(User.council_id == council.id)):
        assert authenticate(user.email, PASSWORD) is not None


def _items_keep_the_facts_of_their_actions(council):
    # Its actions are written without the ORM: the items are counted from them all the same.
    items = db.session.scalars(select(Item).join(Item.finding).join(Finding.inspection)
                               .where(Inspection.council_id == council.id)).all()
    assert sum(item.open_actions + item.complete_actions + item.cancelled_actions
               for item in items) == count(Action)
    assert stored_facts_differ(db.session) == []


def _new_rows_come_after(council):
    # Bench rows are written with their ids; on PostgreSQL the id sequences must then move
    # past them, or the next row the app adds would take an id already used.
    newcomer = UserFactory(council=council)
    item = ItemFactory(finding__inspection__council=council, lead_officer=newcomer)
    assert newcomer.id == db.session.scalar(select(func.max(User.id)))
    assert item.id == db.session.scalar(select(func.max(Item.id)))


def test_bench_data_is_refused_on_a_database_that_holds_data(runner):
    CouncilFactory(name="Northshire County Council")
    result = runner.invoke(args=["bench-data", "--scale", "0.05"])
    assert result.exit_code != 0
    assert "already holds data" in result.output and "--council" in result.output
    assert count(Council) == 1


def test_bench_data_is_refused_under_the_name_of_a_council_already_there(runner):
    CouncilFactory(name="Northshire County Council")
    result = runner.invoke(args=["bench-data", "--scale", "0.05", "--council",
                                 "Northshire County Council"])
    assert result.exit_code != 0
    assert "already has a council called Northshire County Council" in result.output
    assert count(Council) == 1


@pytest.mark.parametrize("scale", ["0", "-1", "1000"])
def test_a_scale_out_of_range_is_refused(runner, scale):
    result = runner.invoke(args=["bench-data", "--scale", scale])
    assert result.exit_code != 0
    assert "scale must be more than 0" in result.output
    assert count(Council) == 0

