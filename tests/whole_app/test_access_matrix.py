"""Who may reach which page: a role x route matrix built from the app's own URL map.

The routes come from `app.url_map`, so a new route is covered the day it is added: without
`@allow(...)` it fails the first test, and with a URL parameter this file cannot fill it fails
the matrix (add a maker to `WORLD_MAKERS` below).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from werkzeug.routing import Rule

import tests.questions.factories as question_makers
from tests.accounts.factories import reset_secret_for_world
from tests.api.factories import api_token_for_world
from tests.calendar_feed.factories import feed_token
from tests.conftest import sign_in_as
from tests.evidence.factories import evidence_file_for_world, evidence_pack_for_world
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    CommitteeMemberFactory,
    ItemFactory,
    PartnerFactory,
    UserFactory,
)
from tests.partners.factories import matrix_link
from tests.plan_import.factories import plan_import_for_world
from tests.reports.word_templates import stored_template
from tests.scenario import RULES
from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.inspections.models import ImportDraft
from tracker.items import service
from tracker.items.models import ActionStatus
from tracker.permissions import API_TOKEN, PUBLIC
from tracker.reports.service import issue_report
from tracker.settings import default_settings

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


def app_rules(app: Flask) -> list[Rule]:
    """Every route of the app but the static files, in a stable order."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def endpoints_without_access_rule(app: Flask) -> list[str]:
    """Endpoints whose view was not declared with `tracker.permissions.allow`."""
    return sorted(
        {
            rule.endpoint
            for rule in app_rules(app)
            if not hasattr(app.view_functions[rule.endpoint], "access_rule")
        }
    )


def access_rule_of(app: Flask, rule: Rule) -> frozenset[Role] | str:
    return app.view_functions[rule.endpoint].access_rule


class World:
    """Real objects of one council, made fresh for each request so that a POST that deletes or
    changes something cannot spoil the next request."""

    def __init__(self, council) -> None:
        self.council = council
        self.item = ItemFactory(finding__inspection__council=council)
        # Owned by a partner, so that the partner-link pages have something to show.
        self.action = ActionFactory(item=self.item, due_date=date(2026, 12, 1),
                                    owner=PartnerFactory(council=council))
        # A pending request: the action's owner is not the item's lead officer.
        self.change = service.change_due_date(
            self.action, actor=self.action.owner, now=NOW, new_date=date(2027, 1, 15),
            reason="The audit team is short-staffed in December",
        )
        # Owned by a manager who is not the lead officer, who asks for it to be cancelled.
        self.owned_action = ActionFactory(item=self.item, due_date=date(2026, 12, 1),
                                          owner=UserFactory(council=council))
        self.cancellation = service.cancel_action(
            self.owned_action, actor=self.owned_action.owner, now=NOW,
            reason="The audit is now part of the quarterly case file audit",
        )
        # Its one action complete: only such an item is offered the form to mark it complete.
        self.finished_item = ItemFactory(finding__inspection__council=council,
                                         lead_officer=self.item.lead_officer)
        ActionFactory(item=self.finished_item, status=ActionStatus.COMPLETE,
                      completed_on=date(2026, 8, 20))
        self.committee = CommitteeFactory(council_id=council.id)
        self.meeting = CommitteeMeetingFactory(committee=self.committee)
        self.user = UserFactory(council=council)
        # The council's own Word template: its page offers to go back to the standard one.
        stored_template(council)
        self.draft = ImportDraft(
            council_id=council.id, filename="letter.txt", sha256="0" * 64,
            source_text="Areas for development\n- Case records are not up to date.",
            proposal={"inspection_title": "Annual unannounced inspection",
                      "areas_for_development": ["Case records are not up to date."]},
        )
        db.session.add(self.draft)
        db.session.commit()


def issued_report(world: World) -> int:
    """A progress report of the world's committee, issued for the request that needs one."""
    admin = AdminFactory(council=world.council)
    report = issue_report(world.committee, actor=admin, now=NOW, rules=RULES)
    db.session.commit()
    return report.id


def report_run(world: World) -> int:
    """A finished draft run of the world's committee, its files kept."""
    from tracker.reports.models import ReportRun, RunKind, RunState

    run = ReportRun(committee_id=world.committee.id, kind=RunKind.DRAFT, state=RunState.DONE,
                    requested_at=NOW, finished_at=NOW, html=b"<p>Draft</p>", pdf=b"%PDF-1.7",
                    docx=b"PK")
    db.session.add(run)
    db.session.commit()
    return run.id


def upload_waiting(world: World) -> int:
    """A letter uploaded to the world's council, waiting for the scheduler to read it."""
    from tracker.uploads.models import UploadKind
    from tracker.uploads.service import queue_upload

    admin = AdminFactory(council=world.council)
    upload = queue_upload(UploadKind.LETTER, council_id=world.council.id, actor=admin, now=NOW,
                          data=b"Areas for development", filename="letter.txt")
    db.session.commit()
    return upload.id


def outbox_message(world: World) -> str:
    """An .eml file in the outbox, addressed to one of the world's council's people."""
    from flask import current_app

    from tracker.mail import Mailer, build_message

    message = build_message(sender="tracker@localhost", to=world.user.email, subject="Reminder",
                            text="Hello", html="<p>Hello</p>", now=NOW)
    with Mailer(default_settings().mail, current_app.instance_path) as mailer:
        mailer.send(message)
    return sorted(Path(current_app.instance_path, "outbox").glob("*.eml"))[-1].name


# How each URL parameter is filled from the world. A route with any other parameter fails.
WORLD_MAKERS: dict[str, Callable[[World], int | str]] = {
    "item_id": lambda world: world.item.id,
    "action_id": lambda world: world.action.id,
    "inspection_id": lambda world: world.item.finding.inspection.id,
    "committee_id": lambda world: world.committee.id,
    "meeting_id": lambda world: world.meeting.id,
    "user_id": lambda world: world.user.id,
    "change_id": lambda world: world.change.id,
    "cancellation_id": lambda world: world.cancellation.id,
    "report_id": issued_report,
    "run_id": report_run,
    "draft_id": lambda world: world.draft.id,
    "name": outbox_message,
    "pack_id": evidence_pack_for_world,
    "file_id": evidence_file_for_world,
    "link_id": lambda world: matrix_link(world).link.id,
    "link_token": lambda world: matrix_link(world).token,
    "feed_token": feed_token,
    "plan_import_id": plan_import_for_world,
    "token_id": api_token_for_world,
    "finding_id": lambda world: world.item.finding.id,
    "file_format": lambda world: "pdf",
    "question_id": question_makers.question_for_world,
    "reset_secret": reset_secret_for_world,
    "upload_id": upload_waiting,
}


# Routes whose page shows its form only for an object in another state than the world's
# usual one: the parameters named here are filled by these makers instead, for that route.
ENDPOINT_MAKERS: dict[str, dict[str, Callable[[World], int | str]]] = {
    "items.mark_complete": {"item_id": lambda world: world.finished_item.id},
}


def parameters_without_maker(rule: Rule) -> set[str]:
    return set(rule.arguments) - set(WORLD_MAKERS)


def url_values(rule: Rule, world: World) -> dict[str, int | str]:
    """The values of the route's URL parameters, taken from the world."""
    makers = {**WORLD_MAKERS, **ENDPOINT_MAKERS.get(rule.endpoint, {})}
    return {name: makers[name](world) for name in rule.arguments}


def request_route(client, rule: Rule, world: World):
    """GET the page if the route allows GET, otherwise POST an empty form."""
    missing = parameters_without_maker(rule)
    if missing:
        pytest.fail(
            f"Route {rule.rule} ({rule.endpoint}) needs URL parameter(s) {sorted(missing)} "
            f"that the access matrix cannot fill: add them to WORLD_MAKERS"
        )
    path = url_for(rule.endpoint, **url_values(rule, world))
    if "GET" in rule.methods:
        return path, client.get(path)
    return path, client.post(path, data={})


@pytest.fixture
def people(council):
    return {
        "admin": AdminFactory(council=council),
        # A plain manager: neither lead officer nor owner of anything in the world.
        "manager": UserFactory(council=council),
        "committee member": CommitteeMemberFactory(council=council),
    }


ROLE_OF = {
    "admin": Role.ADMIN,
    "manager": Role.MANAGER,
    "committee member": Role.COMMITTEE_MEMBER,
}


def test_every_route_declares_who_may_use_it(app):
    missing = endpoints_without_access_rule(app)
    assert not missing, (
        f"These endpoints have no access rule; decorate their views with "
        f"@allow(...) from tracker.permissions: {', '.join(missing)}"
    )


def test_a_route_added_without_an_access_rule_is_caught(app):
    # The check above must not pass vacuously: a bare route is reported by name.
    app.add_url_rule("/unguarded", "unguarded", lambda: "open to all")
    assert endpoints_without_access_rule(app) == ["unguarded"]


def test_every_url_parameter_in_the_app_can_be_filled_by_the_matrix(app):
    unfilled = {
        rule.rule: sorted(parameters_without_maker(rule))
        for rule in app_rules(app)
        if parameters_without_maker(rule)
    }
    assert not unfilled, f"Add these URL parameters to WORLD_MAKERS: {unfilled}"


def test_the_matrix_covers_the_core_pages(app):
    # Guard against the matrix walking an empty or half-registered URL map.
    paths = {rule.rule for rule in app_rules(app)}
    for path in ["/", "/items", "/items/<int:item_id>", "/actions/<int:action_id>/update",
                 "/inspections/<int:inspection_id>", "/due-date-changes/<int:change_id>",
                 "/sign-in", "/users", "/committees"]:
        assert path in paths


def test_a_stranger_is_sent_to_sign_in_from_every_page_that_is_not_public(app, council):
    failures = []
    for rule in app_rules(app):
        world = World(council)
        client = app.test_client()
        path, response = request_route(client, rule, world)
        if access_rule_of(app, rule) == PUBLIC:
            if response.status_code >= 500 or response.status_code == 404:
                failures.append(f"{path}: public page gave {response.status_code}")
            continue
        if access_rule_of(app, rule) == API_TOKEN:
            if response.status_code != 401:
                failures.append(f"{path}: API gave {response.status_code} without a token")
            continue
        location = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 302 or location != "/sign-in":
            failures.append(f"{path}: {response.status_code} to {location or 'nowhere'}")
    assert not failures, "Not sent to sign in:\n" + "\n".join(failures)


@pytest.mark.parametrize("role", ["admin", "manager", "committee member"])
def test_each_role_reaches_exactly_the_pages_its_role_allows(app, council, people, role):
    user = people[role]
    failures = []
    for rule in app_rules(app):
        world = World(council)
        client = app.test_client()
        sign_in_as(client, user)
        path, response = request_route(client, rule, world)
        status = response.status_code
        allowed = access_rule_of(app, rule)
        if allowed == API_TOKEN:
            # The session never opens the API: only a personal access token does.
            if status != 401:
                failures.append(f"{path}: API gave a signed-in {role} {status} without a token")
            continue
        if allowed != PUBLIC and ROLE_OF[role] not in allowed:
            if status != 403:
                failures.append(f"{path}: expected 403 for a {role}, got {status}")
            continue
        # Allowed by the role gate: an object-level rule may still refuse, but the page must
        # exist and must not break.
        if status >= 500 or status == 404:
            failures.append(f"{path}: a {role} got {status}")
        if role == "admin" and status == 403:
            failures.append(f"{path}: an administrator was refused")
    assert not failures, "\n".join(failures)


def test_a_plain_manager_is_refused_changes_to_an_item_they_do_not_lead(client, council, people):
    world = World(council)
    sign_in_as(client, people["manager"])
    assert client.get(f"/items/{world.item.id}").status_code == 200
    assert client.get(f"/items/{world.item.id}/edit").status_code == 403
    assert client.get(f"/actions/{world.action.id}/update").status_code == 403


def test_action_owner_can_update_their_action_but_cannot_edit_the_item(client):
    action = ActionFactory()
    sign_in_as(client, action.owner)
    assert client.get(f"/actions/{action.id}/update").status_code == 200
    assert client.get(f"/items/{action.item.id}/edit").status_code == 403
    assert client.get(f"/actions/{action.id}/edit").status_code == 403
    assert client.get(f"/items/{action.item.id}/actions/new").status_code == 403


def test_lead_officer_can_edit_their_item(client):
    item = ItemFactory()
    sign_in_as(client, item.lead_officer)
    assert client.get(f"/items/{item.id}/edit").status_code == 200
    assert client.get(f"/items/{item.id}/actions/new").status_code == 200


def test_lead_officer_decides_a_date_request_but_a_plain_manager_cannot(client, council, people):
    world = World(council)
    sign_in_as(client, people["manager"])
    assert client.get(f"/due-date-changes/{world.change.id}").status_code == 403
    sign_in_as(client, world.item.lead_officer)
    assert client.get(f"/due-date-changes/{world.change.id}").status_code == 200


def test_person_who_marked_an_item_complete_cannot_sign_it_off_but_another_admin_can(
    client, council
):
    item = ItemFactory(finding__inspection__council=council)
    ActionFactory(item=item, status=ActionStatus.COMPLETE)
    marker = AdminFactory(council=council)
    second = AdminFactory(council=council)
    service.mark_item_complete(item, actor=marker, now=NOW,
                               outcome_evidence="Audit shows children's views in 95% of cases")
    db.session.commit()

    sign_in_as(client, marker)
    assert client.get(f"/items/{item.id}/sign-off").status_code == 403
    assert client.post(f"/items/{item.id}/sign-off",
                       data={"decision": "sign-off"}).status_code == 403

    sign_in_as(client, second)
    assert client.get(f"/items/{item.id}/sign-off").status_code == 200
    response = client.post(f"/items/{item.id}/sign-off", data={"decision": "sign-off"})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.signed_off_by_id == second.id


def test_an_administrator_posting_an_empty_plan_submitted_form_is_told_what_to_fix(
    client, council, people
):
    # Found by the matrix: a blank required date once raised a bare ValueError (a 500).
    inspection = ItemFactory(finding__inspection__council=council).finding.inspection
    sign_in_as(client, people["admin"])
    response = client.post(f"/inspections/{inspection.id}/plan-submitted", data={})
    assert response.status_code == 400
    assert b"There is a problem" in response.data
    assert b"Enter the date the action plan was submitted" in response.data
