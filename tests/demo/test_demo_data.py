"""The demo council: what `flask demo-data` loads, and the sign-in details it leaves."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tests.factories import CouncilFactory
from tracker.accounts.models import Council, Role, User
from tracker.accounts.service import authenticate
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.demo.letters import visit_words
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.inspections.models import Finding, FindingCategory, Inspection
from tracker.items.models import (
    Action,
    ActionStatus,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
)
from tracker.items.queries import ItemFilters, find_items
from tracker.items.status import ItemState, ShownStatus
from tracker.settings import default_settings

# A Saturday, a Sunday and a Monday: dates move off weekends without breaking the demo.
LOAD_DAYS = [date(2027, 3, 13), date(2027, 3, 14), date(2027, 3, 15)]
TODAY = LOAD_DAYS[-1]


def moment_on(day: date) -> datetime:
    return datetime.combine(day, time(11, 30), tzinfo=UK)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def inspections_oldest_first() -> list[Inspection]:
    return list(db.session.scalars(select(Inspection).order_by(Inspection.letter_date)))


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    # As in the factories: a cheap hash keeps the suite fast; production uses scrypt.
    monkeypatch.setattr(
        "tracker.accounts.models.generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def demo(app):
    credentials = load_demo_data(TODAY, moment_on(TODAY))
    db.session.commit()
    return credentials


def test_demo_creates_a_council_with_its_people_inspections_items_and_actions(demo):
    assert count(Council) == 1
    users = list(db.session.scalars(select(User)))
    roles = [user.role for user in users]
    assert roles.count(Role.ADMIN) == 1
    assert roles.count(Role.MANAGER) >= 2
    assert roles.count(Role.COMMITTEE_MEMBER) == 1
    assert any(user.organisation == "Northshire Police" for user in users)
    assert count(Inspection) == 2
    assert 13 <= count(Item) <= 17
    assert 50 <= count(Action) <= 70


def test_demo_accounts_sign_in_with_their_random_passwords(demo):
    assert len(demo.accounts) >= 4
    passwords = [account.password for account in demo.accounts]
    assert len(set(passwords)) == len(passwords)
    for account in demo.accounts:
        assert len(account.password) >= 12
        assert authenticate(account.email, account.password) is not None


@pytest.mark.parametrize("today", LOAD_DAYS, ids=lambda day: f"{day:%A}")
def test_demo_always_has_overdue_and_upcoming_work(app, today):
    load_demo_data(today, moment_on(today))
    actions = list(db.session.scalars(select(Action)))
    open_actions = [action for action in actions if action.is_open]
    late = [(today - action.due_date).days for action in open_actions]
    assert any(days > 14 for days in late), "an action overdue by more than 14 days"
    assert any(1 <= days <= 14 for days in late), "an action overdue by a few days"
    assert any(-7 <= days <= 0 for days in late), "an action due within 7 days"
    assert any(-14 <= days < -7 for days in late), "an action due within 14 days"
    assert {action.status for action in actions} == set(ActionStatus)
    assert all(action.completed_on < today for action in actions if action.completed_on)


def test_demo_shows_a_partner_update_posted_through_a_link(demo):
    from tracker.partners.models import PartnerLink

    [link] = db.session.scalars(select(PartnerLink)).all()
    assert link.recipient.organisation == "Northshire Police"
    assert link.uses == 1 and link.usable_at(moment_on(TODAY))
    marked = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.partner_link_id == link.id)).all()
    assert marked and {entry.author for entry in marked} == {link.recipient}
    assert any("MASH log" in entry.text for entry in marked)
    assert all(entry.created_at < moment_on(TODAY) for entry in marked)


def test_demo_has_items_in_every_state_and_rag_and_some_not_updated(demo):
    rows = find_items(
        db.session.scalar(select(Council.id)), ItemFilters(),
        today=TODAY, now=moment_on(TODAY), rules=default_settings().status_rules,
    ).rows
    assert {row.status.shown for row in rows} == set(ShownStatus)
    assert any(row.status.overridden and row.item.rag_override_reason for row in rows)
    [not_planned] = [row for row in rows if row.status.state is ItemState.NOT_PLANNED]
    assert not_planned.status.reason.startswith("No lead officer yet and no actions planned")
    [delivered] = [row for row in rows if row.status.state is ItemState.DELIVERED]
    assert "Sent back at sign-off on" in delivered.status.reason
    stale = [row for row in rows if row.stale]
    assert 1 <= len(stale) < len(rows)


def test_demo_has_a_signed_off_item_and_one_awaiting_sign_off(demo):
    items = list(db.session.scalars(select(Item)))
    complete = [item for item in items if item.status is ItemStatus.COMPLETE]
    assert len(complete) == 1
    assert complete[0].signed_off_by_id not in (None, complete[0].marked_complete_by_id)
    assert complete[0].outcome_evidence
    assert [item.status for item in items].count(ItemStatus.AWAITING_SIGN_OFF) == 1


def test_demo_has_moved_dates_and_a_request_waiting_for_the_lead_officer(demo):
    changes = list(db.session.scalars(select(DueDateChange)))
    states = [change.state for change in changes]
    assert states.count(DueDateChangeState.PENDING) == 1
    assert DueDateChangeState.REFUSED in states
    assert states.count(DueDateChangeState.APPROVED) >= 3
    assert all(change.reason for change in changes)
    pending = next(c for c in changes if c.state is DueDateChangeState.PENDING)
    assert pending.requested_by_id != pending.action.item.lead_officer_id
    moved = [action for action in db.session.scalars(select(Action)) if action.date_moved]
    assert moved and all(action.original_due_date for action in moved)


def test_newer_letter_repeats_two_findings_of_the_older_one(demo):
    older, newer = inspections_oldest_first()
    assert newer.previous_inspection_id == older.id
    assert newer.previous_inspection_text == f"{older.visit_dates[0]:%B %Y}"
    repeats = [finding for finding in newer.findings if finding.is_repeat]
    assert len(repeats) == 2
    for finding in repeats:
        assert finding.repeat_evidence == "This was an area for development at the last inspection."
        assert finding.text.endswith(finding.repeat_evidence)
        assert finding.repeat_of.inspection_id == older.id
    categories = {finding.category for finding in newer.findings}
    assert FindingCategory.PRIORITY_ACTION in categories
    assert FindingCategory.PRIORITY_ACTION not in {f.category for f in older.findings}


def test_letters_hold_their_findings_and_dates_in_their_text(demo):
    for inspection in inspections_oldest_first():
        text = inspection.source_text
        assert long_date(inspection.letter_date) in text
        assert visit_words(tuple(inspection.visit_dates)) in text
        assert inspection.inspector in text
        assert "Northshire County Council" in text
        for finding in inspection.findings:
            assert finding.text in text
    assert "previous inspection" in inspections_oldest_first()[1].source_text


def test_every_priority_action_and_area_for_development_of_the_newer_letter_is_tracked(demo):
    newer = inspections_oldest_first()[1]
    tracked = [finding for finding in newer.findings if finding.category.is_tracked]
    assert tracked
    assert all(finding.item is not None for finding in tracked)
    untracked = db.session.scalars(
        select(Finding).where(Finding.category == FindingCategory.STRENGTH)
    )
    assert all(finding.item is None for finding in untracked)


def test_demo_history_is_dated_before_the_load_and_drives_last_updated(demo):
    now = moment_on(TODAY)
    updates = list(db.session.scalars(select(HistoryEntry)))
    assert all(update.created_at < now for update in updates)
    assert all(update.created_at.astimezone(UK).weekday() < 5 for update in updates)
    kinds = {update.kind for update in updates}
    assert {HistoryKind.COMMENTARY, HistoryKind.RAG_OVERRIDE, HistoryKind.SIGN_OFF} <= kinds
    for item in db.session.scalars(select(Item)):
        latest = max(update.created_at for update in updates if update.item_id == item.id)
        assert item.last_updated_at == latest


def test_demo_committee_follows_both_inspections_and_meets_every_eight_weeks(demo):
    committee = db.session.scalars(select(Committee)).one()
    assert committee.name == "Children's Services Scrutiny Committee"
    assert {member.role for member in committee.members} == {Role.ADMIN, Role.COMMITTEE_MEMBER}
    assert len(committee.inspections) == 2
    days = [meeting.meeting_date for meeting in committee.meetings]
    assert len([day for day in days if day < TODAY]) == 1
    assert len([day for day in days if day > TODAY]) == 3
    gaps = {later - earlier for earlier, later in zip(days, days[1:], strict=False)}
    assert gaps == {timedelta(weeks=8)}


def test_demo_is_not_loaded_into_a_database_that_holds_a_council(app):
    CouncilFactory()
    assert load_demo_data(TODAY, moment_on(TODAY)) is None
    assert count(Council) == 1
    assert count(User) == 0


def test_running_demo_data_twice_changes_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded" in first.output
    counts = [count(model) for model in (Council, User, Item, Action, HistoryEntry)]
    saved = app.instance_path + "/demo-credentials.txt"
    with open(saved, encoding="utf-8") as file:
        details = file.read()

    second = runner.invoke(args=["demo-data"])

    assert second.exit_code == 0
    assert second.output.strip() == (
        "The database already holds data: demo data not loaded, nothing changed."
    )
    assert [count(model) for model in (Council, User, Item, Action, HistoryEntry)] == counts
    with open(saved, encoding="utf-8") as file:
        assert file.read() == details


def test_demo_sign_in_details_are_saved_for_the_owner_only(app, runner):
    runner.invoke(args=["demo-data"])
    saved = app.instance_path + "/demo-credentials.txt"

    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600


def test_demo_credentials_prints_each_account_and_its_password(app, runner):
    runner.invoke(args=["demo-data"])
    with open(app.instance_path + "/demo-credentials.txt", encoding="utf-8") as file:
        saved = file.read()

    result = runner.invoke(args=["demo-credentials"])

    assert result.exit_code == 0
    assert result.output.startswith("Sign in at http://127.0.0.1:5000/sign-in with:")
    users = list(db.session.scalars(select(User)))
    assert len(users) >= 4
    for user in users:
        assert user.email in result.output
    for line in saved.splitlines()[2:]:
        assert line.split("\t")[3] in result.output


def test_demo_credentials_without_demo_accounts_points_to_create_user(runner):
    result = runner.invoke(args=["demo-credentials"])

    assert result.exit_code == 0
    assert "No demo accounts were created by this installation" in result.output
    assert "flask --app tracker create-user" in result.output
