"""An administrator anonymises a person who has left: their name is then nowhere the tracker
shows it (pages, new papers, the action plan's spreadsheet, calendar feeds, the API), their
sessions, tokens and partner links end, the history keeps its facts, and papers already issued
stay as issued. The clock stands at 22 November 2026."""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pdfplumber
import pytest
from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import CommitteeFactory, CommitteeMeetingFactory, UserFactory
from tests.scenario import RULES, at, make_plan
from tracker import clock
from tracker.access.models import AccessToken, TokenPurpose
from tracker.access.service import make_api_token, user_for_token
from tracker.accounts.models import Role, SignInEvent, SignInOutcome
from tracker.accounts.service import change_user
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.audit.service import record_history
from tracker.calendar_feed.service import new_feed_address
from tracker.data_protection.anonymise import anonymise_person, former_name
from tracker.data_protection.models import ErasureKind, ErasureRecord
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus
from tracker.jobs.models import RunState
from tracker.partners.models import PartnerLink
from tracker.questions.service import QuestionDetails, answer_question, record_question
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reports.service import draft_snapshot, issue_report, render

NAME = "Zebedee Quartermain"
ADDRESS = "zebedee.q@northshire.example"
TRACES = ("Zebedee", "Quartermain", "zebedee.q")


def traces_in(text: str) -> list[str]:
    return [trace for trace in TRACES if trace.lower() in text.lower()]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


DOWNLOAD = re.compile(r"\.(pdf|docx|xlsx|csv|ics|zip|html|css|js|svg|png)$")


def crawl(client, start: str, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every page reachable from `start` by the links on the pages (downloads and the
    `skip` prefixes left out): their text by path."""
    seen: dict[str, str] = {}
    waiting = [start]
    while waiting and len(seen) < 250:
        path = waiting.pop(0).split("#")[0]
        if path in seen or not path.startswith("/") or path.startswith("//"):
            continue
        if DOWNLOAD.search(path.split("?")[0]) or path.startswith(skip):
            continue
        response = client.get(path)
        if not response.content_type.startswith(("text/", "application/json")):
            seen[path] = ""  # a file to download: the papers' and exports' own tests read them
            continue
        seen[path] = response.get_data(as_text=True)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Links()
        parser.feed(seen[path])
        waiting += parser.hrefs
    return seen


@pytest.fixture
def world(app, council):
    """The scenario's plan, and Zebedee Quartermain, who left: lead officer of an item, owner
    of an action they updated, on the committee and its contact officer and report owner,
    asker of one question (as the minutes name them) and answerer of another, with tokens, a
    partner link, a sign-in and an email in the log; and a paper issued while they were
    there."""
    plan = make_plan(council)
    admin, lead = plan.admin, plan.lead
    zeb = UserFactory(council=council, name=NAME, email=ADDRESS, job_title="Service manager",
                      telephone="01632 960001", organisation="Northshire Health")
    items.edit_item(plan.assessments, actor=admin, now=at(2026, 9, 1), expected_version=None,
                    title=plan.assessments.title, theme=plan.assessments.theme,
                    priority=plan.assessments.priority, target_date=plan.assessments.target_date,
                    measure_of_success=plan.assessments.measure_of_success, lead_officer=zeb,
                    may_change_lead=True)
    visits = items.add_action(plan.assessments, actor=admin, now=at(2026, 9, 1),
                              description="Practice visits to each team", owner=zeb,
                              due_date=date(2026, 11, 1))
    items.update_action(visits, actor=zeb, now=at(2026, 10, 3), expected_version=None,
                        status=ActionStatus.IN_PROGRESS, commentary="Four of six teams visited",
                        evidence_link="")
    committee = CommitteeFactory(council_id=council.id, name="Children's Scrutiny Committee",
                                 contact_name=NAME, contact_email=ADDRESS,
                                 contact_job_title="Service manager", report_owner_id=zeb.id)
    committee.members = [plan.member, zeb]
    committee.inspections = [plan.inspection]
    meeting = CommitteeMeetingFactory(committee=committee, meeting_date=date(2026, 10, 8))
    CommitteeMeetingFactory(committee=committee, meeting_date=date(2027, 1, 14))
    db.session.flush()
    asked = record_question(committee, QuestionDetails(
        meeting=meeting, question="When will every team have been visited?",
        asked_by_name=NAME, asked_by=None, item=plan.assessments, officer=lead),
        actor=admin, now=at(2026, 10, 8))
    to_answer = record_question(committee, QuestionDetails(
        meeting=meeting, question="How many assessments were audited?",
        asked_by_name="Councillor Ann Hughes", asked_by=None, item=plan.screening,
        officer=zeb), actor=admin, now=at(2026, 10, 8))
    answer_question(to_answer, "Thirty, of which twenty-four were good.", actor=zeb,
                    now=at(2026, 10, 20), expected_version=None)
    api = make_api_token(zeb, "Power BI", now=at(2026, 10, 1)).secret
    calendar = new_feed_address(zeb, now=at(2026, 10, 1)).secret
    link = PartnerLink(action=visits, recipient=zeb, secret_sha256=secrets.token_hex(32),
                       created_by_id=lead.id, created_at=at(2026, 11, 20),
                       expires_at=at(2026, 12, 4))
    db.session.add(link)
    # Partner link entries as the tracker wrote them before the recipient was kept as a value.
    record_history(item=plan.assessments, action=visits, author=lead, now=at(2026, 10, 1),
                   kind=HistoryKind.PARTNER_LINK_SENT,
                   text=f"To {NAME} (Northshire Health). It works until the end of 15 October "
                        f"2026.")
    record_history(item=plan.assessments, action=visits, author=lead, now=at(2026, 10, 2),
                   kind=HistoryKind.PARTNER_LINK_REVOKED,
                   text=f"The link sent to {NAME} (Northshire Health) on 1 October 2026 no "
                        f"longer works.")
    db.session.add(SignInEvent(at=at(2026, 11, 21), email=ADDRESS, user_id=zeb.id,
                               address="10.0.0.5", outcome=SignInOutcome.SIGNED_IN))
    db.session.add(Delivery(recipient_id=zeb.id, kind=DeliveryKind.DIGEST,
                            day=date(2026, 11, 21), to_address=ADDRESS, subject="Reminders",
                            message=f"Dear {NAME}", state=RunState.DONE,
                            sent_at=at(2026, 11, 21)))
    db.session.add(Delivery(recipient_id=zeb.id, kind=DeliveryKind.DIGEST,
                            day=date(2026, 11, 23), to_address=ADDRESS, subject="Reminders",
                            message=f"Dear {NAME}", state=RunState.QUEUED))
    db.session.commit()
    issued = issue_report(committee, actor=admin, now=at(2026, 11, 1), rules=RULES)
    db.session.commit()
    return plan, zeb, committee, asked, issued.id, api, calendar


def _anonymise(world):
    plan, zeb, *_ = world
    record = anonymise_person(zeb, actor=plan.admin, now=clock.now())
    db.session.commit()
    return record


def test_the_name_appears_nowhere_in_the_pages(client, world):
    plan, zeb, committee, asked, issued_id, *_ = world
    sign_in_as(client, plan.admin)
    before = crawl(client, "/", skip=(f"/reports/{issued_id}",))
    assert any(traces_in(text) for text in before.values())  # the check can fail

    _anonymise(world)

    pages = crawl(client, "/", skip=(f"/reports/{issued_id}",))
    for path in (f"/users/{zeb.id}", f"/items/{plan.assessments.id}",
                 f"/committees/{committee.id}", "/users/sign-ins", "/reminders",
                 "/admin/data-protection", f"/questions/{asked.id}"):
        if path not in pages:
            pages[path] = client.get(path).get_data(as_text=True)
    assert len(pages) > 30
    found = {path: traces_in(text) for path, text in pages.items() if traces_in(text)}
    assert found == {}
    assert former_name(zeb.id) in pages[f"/items/{plan.assessments.id}"]
    # The history keeps its facts: who changed what, shown by the new name.
    assert "Four of six teams visited" in pages[f"/items/{plan.assessments.id}"]
    sign_in_as(client, plan.member)
    pages = crawl(client, "/", skip=(f"/reports/{issued_id}",))
    assert {path: traces_in(text) for path, text in pages.items() if traces_in(text)} == {}


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        return "".join(docx.read(name).decode("utf-8") for name in docx.namelist()
                       if name.endswith(".xml"))


def test_the_name_appears_nowhere_in_new_papers_and_exports_but_issued_papers_stay(
    client, world,
):
    plan, zeb, committee, asked, issued_id, *_ = world
    sign_in_as(client, plan.admin)
    issued_before = {fmt: client.get(f"/reports/{issued_id}.{fmt}").data
                     for fmt in ("html", "pdf", "docx", "xlsx")}
    assert traces_in(issued_before["html"].decode())

    _anonymise(world)

    html = client.get(f"/committees/{committee.id}/report.html").get_data(as_text=True)
    docx = _docx_text(client.get(f"/committees/{committee.id}/report.docx").data)
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(), rules=RULES)
    with pdfplumber.open(io.BytesIO(render(snapshot, "pdf"))) as pdf:
        pdf_text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert former_name(zeb.id) in html
    assert (traces_in(html), traces_in(docx), traces_in(pdf_text)) == ([], [], [])
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/items/action-plan.xlsx").data))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)
    assert former_name(zeb.id) in cells
    assert traces_in(cells) == []
    assert traces_in(client.get("/items/action-plan.csv").data.decode("utf-8-sig")) == []
    # Papers already issued are the record of what members were told: unchanged.
    assert {fmt: client.get(f"/reports/{issued_id}.{fmt}").data
            for fmt in issued_before} == issued_before


def test_the_name_appears_nowhere_in_calendar_feeds_or_the_api(client, world):
    plan, zeb, committee, asked, issued_id, api, calendar = world
    _anonymise(world)
    for person in (plan.admin, plan.lead, plan.partner, plan.member):
        secret = new_feed_address(person, now=clock.now()).secret
        db.session.commit()
        feed = client.get(f"/calendar/{secret}.ics")
        assert feed.status_code == 200
        assert traces_in(feed.get_data(as_text=True)) == []
    token = make_api_token(plan.admin, "check", now=clock.now()).secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    answers = []
    for path in ("/api/v1/items", "/api/v1/actions", "/api/v1/questions",
                 "/api/v1/inspections", f"/api/v1/items/{plan.assessments.id}",
                 f"/api/v1/questions/{asked.id}", "/api/v1/reports"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        answers.append(json.dumps(response.get_json()))
    assert former_name(zeb.id) in " ".join(answers)
    assert traces_in(" ".join(answers)) == []
    # Their own calendar and API tokens stopped.
    assert client.get(f"/calendar/{calendar}.ics").status_code == 404
    assert client.get("/api/v1/items",
                      headers={"Authorization": f"Bearer {api}"}).status_code == 401


def test_their_sessions_tokens_and_links_end_and_the_history_keeps_its_facts(client, world):
    plan, zeb, committee, asked, issued_id, api, calendar = world
    entries = db.session.scalar(select(db.func.count(HistoryEntry.id)))
    sign_in_as(client, zeb)
    assert client.get("/").status_code == 200

    record = _anonymise(world)

    assert client.get("/").status_code == 302  # signed out
    assert user_for_token(api, TokenPurpose.API, now=clock.now()) is None
    assert all(token.revoked_at is not None for token in db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == zeb.id)))
    assert all(link.revoked_at is not None for link in db.session.scalars(
        select(PartnerLink).where(PartnerLink.recipient_id == zeb.id)))
    # Nothing of the history is lost: one entry more, the partner link's revocation.
    assert db.session.scalar(select(db.func.count(HistoryEntry.id))) == entries + 1
    assert (zeb.name, zeb.active, zeb.job_title, zeb.telephone) == (
        former_name(zeb.id), False, "", "")
    assert zeb.email.endswith(".invalid")
    assert committee.members == [plan.member]
    assert (committee.contact_name, committee.contact_email) == ("", "")
    assert [(d.to_address, d.message, d.state) for d in db.session.scalars(
        select(Delivery).where(Delivery.recipient_id == zeb.id).order_by(Delivery.day))] == [
        (zeb.email, "", RunState.DONE), (zeb.email, "", RunState.FAILED)]
    assert (record.kind, record.subject_id, record.by_id) == (
        ErasureKind.PERSON_ANONYMISED, zeb.id, plan.admin.id)
    assert db.session.scalars(select(ErasureRecord)).all() == [record]


def test_an_anonymised_person_stays_anonymised(world):
    plan, zeb, *_ = world
    _anonymise(world)
    with pytest.raises(RuleBroken, match="already"):
        anonymise_person(zeb, actor=plan.admin, now=clock.now())
    with pytest.raises(RuleBroken, match="cannot be changed"):
        change_user(zeb, actor=plan.admin, name=NAME, job_title="", organisation="",
                    telephone="", role=Role.MANAGER, active=True)


def test_nobody_anonymises_themselves_or_the_last_administrator(world):
    plan, zeb, *_ = world
    with pytest.raises(RuleBroken, match="yourself"):
        anonymise_person(plan.admin, actor=plan.admin, now=clock.now())
    zeb.role = Role.ADMIN
    db.session.flush()
    anonymise_person(plan.admin, actor=zeb, now=clock.now())  # another admin stays: zeb
    with pytest.raises(RuleBroken, match="at least one active administrator"):
        anonymise_person(zeb, actor=plan.lead, now=clock.now())


def test_an_administrator_anonymises_a_person_from_their_page(client, world):
    plan, zeb, *_ = world
    sign_in_as(client, plan.admin)
    page = client.get(f"/users/{zeb.id}").get_data(as_text=True)
    assert f"/users/{zeb.id}/anonymise" in page
    confirm = client.get(f"/users/{zeb.id}/anonymise").get_data(as_text=True)
    assert "cannot be undone" in confirm and "own 1 open action" in confirm
    response = client.post(f"/users/{zeb.id}/anonymise")
    assert response.status_code == 302
    db.session.expire_all()
    assert zeb.anonymised_at is not None
    sign_in_as(client, plan.lead)
    assert client.post(f"/users/{plan.admin.id}/anonymise").status_code == 403
