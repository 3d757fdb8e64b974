"""Two people saving at the same moment: only a real edit of the same record conflicts.

Each manager works in a request of their own (their own app context and database session),
both opening their action before either saves, as two browsers do. What the tracker works
out from a change (an item's "last updated") is not an edit and moves no version."""

from __future__ import annotations

import contextvars
from datetime import UTC, datetime

import pytest
from flask import Flask

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, UserFactory
from tracker.errors import EditConflict
from tracker.extensions import db
from tracker.items import queries, service
from tracker.items.models import Action, ActionStatus, Item

FIRST = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
SECOND = datetime(2026, 11, 22, 10, 0, 1, tzinfo=UTC)


class Manager:
    """One manager's request: its own app context and session, kept between the steps."""

    def __init__(self, app: Flask) -> None:
        self.context = contextvars.Context()
        self.app_context = app.app_context()
        self.context.run(self.app_context.push)

    def run(self, work, *args, **kwargs):
        return self.context.run(work, *args, **kwargs)

    def close(self) -> None:
        self.context.run(self.app_context.pop)


def open_action(council_id: int, action_id: int) -> tuple[Action, int]:
    """The action as its page loads it, with its item: what the form was made from."""
    action = queries.get_action(council_id, action_id)
    assert action is not None
    assert action.item.version  # the item is loaded too, as when the page is drawn
    return action, action.version


def save(action: Action, version: int, status: ActionStatus, now: datetime) -> None:
    service.update_action(action, actor=action.owner, now=now, expected_version=version,
                          status=status, commentary="Progress", evidence_link="")
    db.session.commit()


@pytest.fixture
def two_actions(app):
    first = ActionFactory()
    second = ActionFactory(item=first.item,
                           owner=UserFactory(council=first.item.finding.inspection.council))
    return first, second


@pytest.fixture
def managers(app):
    people = [Manager(app), Manager(app)]
    yield people
    for manager in people:
        manager.close()


def test_two_managers_saving_two_different_actions_of_one_item_at_once_both_save(
    two_actions, managers,
):
    first_action, second_action = two_actions
    item_version = first_action.item.version
    one, two = managers
    council_id = first_action.item.finding.inspection.council_id
    mine = one.run(open_action, council_id, first_action.id)
    theirs = two.run(open_action, council_id, second_action.id)

    one.run(save, *mine, ActionStatus.IN_PROGRESS, FIRST)
    two.run(save, *theirs, ActionStatus.COMPLETE, SECOND)

    db.session.expire_all()
    assert db.session.get(Action, first_action.id).status is ActionStatus.IN_PROGRESS
    assert db.session.get(Action, second_action.id).status is ActionStatus.COMPLETE
    item = db.session.get(Item, first_action.item_id)
    # Last updated moved on to the later save; the item itself was not edited.
    assert item.last_updated_at == SECOND
    assert item.version == item_version


def test_two_saves_of_the_same_action_at_once_still_conflict(two_actions, managers):
    action, _other = two_actions
    one, two = managers
    council_id = action.item.finding.inspection.council_id
    mine = one.run(open_action, council_id, action.id)
    theirs = two.run(open_action, council_id, action.id)

    one.run(save, *mine, ActionStatus.IN_PROGRESS, FIRST)
    with pytest.raises(EditConflict):
        two.run(save, *theirs, ActionStatus.COMPLETE, SECOND)

    db.session.expire_all()
    assert db.session.get(Action, action.id).status is ActionStatus.IN_PROGRESS


def test_a_commentary_alone_moves_no_version(two_actions):
    action, _other = two_actions
    versions = (action.version, action.item.version)
    service.update_action(action, actor=action.owner, now=FIRST, expected_version=None,
                          status=action.status, commentary="Audit tool agreed",
                          evidence_link="")
    db.session.commit()
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert (action.version, action.item.version) == versions
    assert action.last_updated_at == action.item.last_updated_at == FIRST


def update_form(action, version, status):
    return {"version": str(version), "status": status, "commentary": "Progress",
            "evidence_link": ""}


def test_two_forms_opened_before_either_is_saved_save_two_actions_but_not_one_twice(
    client, two_actions,
):
    first, second = two_actions
    lead = first.item.lead_officer
    sign_in_as(client, lead)
    # Both forms read their versions before either is sent.
    versions = {action.id: action.version for action in (first, second)}
    for action in (first, second):
        assert client.get(f"/actions/{action.id}/update").status_code == 200

    assert client.post(f"/actions/{first.id}/update", data=update_form(
        first, versions[first.id], "in progress")).status_code == 302
    assert client.post(f"/actions/{second.id}/update", data=update_form(
        second, versions[second.id], "in progress")).status_code == 302
    again = client.post(f"/actions/{first.id}/update", data=update_form(
        first, versions[first.id], "complete"))
    assert again.status_code == 409
