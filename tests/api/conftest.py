"""A small council for the API to read, and a second council whose records it must not see.

The clock stands at 22 November 2026 (tests/conftest.py), so the RAGs are known: one item of
each colour. The token owner's council is made first, so its records have the lowest ids
(1, 2, …): the OpenAPI description's example id is 1, which the schemathesis test sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    CouncilFactory,
    FindingFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tests.scenario import RULES, make_people
from tracker import clock
from tracker.access.service import make_api_token
from tracker.extensions import db
from tracker.inspections.models import FindingCategory, InspectionDay
from tracker.items.models import ActionStatus, ItemStatus, Priority
from tracker.questions.service import QuestionDetails, answer_question, record_question
from tracker.reports.models import IssuedReport
from tracker.reports.service import issue_report

CREATED = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)


@dataclass
class Seeded:
    """The records a test asks the API about, by what they are."""

    council: object
    owner: object
    token: str
    lead: object
    partner: object
    inspection: object
    strength: object
    red: object
    amber: object
    green: object
    complete: object
    overdue_action: object
    amber_action: object
    green_action: object
    done_action: object
    complete_action: object
    committee: object
    report: IssuedReport | None
    other_item: object
    other_action: object
    other_report: IssuedReport | None
    answered_question: object = None
    waiting_question: object = None
    other_question: object = None


def seed(*, reports: bool = True) -> Seeded:
    """Two councils' records; the first council's manager holds an API token. Issuing the two
    reports (each printed to PDF) takes about a second: `reports=False` leaves them out."""
    council = CouncilFactory(name="Northshire County Council")
    people = make_people(council)
    admin, lead, partner = people.admin, people.lead, people.partner
    owner = UserFactory(council=council, name="Sam Reader")
    inspection = InspectionFactory(
        council=council, letter_date=date(2026, 7, 27), recipient="Director of Children's "
        "Services", previous_inspection_text="August 2025", overall_judgement="")
    db.session.add_all([InspectionDay(inspection_id=inspection.id, day=date(2026, 6, 16)),
                        InspectionDay(inspection_id=inspection.id, day=date(2026, 6, 17))])
    strength = FindingFactory(inspection=inspection, category=FindingCategory.STRENGTH,
                              text="The council's continuing commitment to safeguarding.",
                              position=0)

    def tracked(title: str, category: FindingCategory, priority: Priority, **values):
        finding = FindingFactory(inspection=inspection, category=category,
                                 text=f"Finding behind: {title}.",
                                 repeat_evidence=values.pop("repeat_evidence", ""))
        return ItemFactory(finding=finding, title=title, priority=priority,
                           created_at=CREATED, **values)

    red = tracked("Timeliness of contact screening", FindingCategory.PRIORITY_ACTION,
                  Priority.HIGH, lead_officer=lead, theme="Front door",
                  target_date=date(2027, 3, 31),
                  repeat_evidence="This was an area for priority action last time.")
    amber = tracked("Variable quality of assessments", FindingCategory.AREA_FOR_DEVELOPMENT,
                    Priority.MEDIUM, lead_officer=owner, theme="Assessment")
    green = tracked("Children's views in case records", FindingCategory.AREA_FOR_DEVELOPMENT,
                    Priority.LOW, lead_officer=lead, theme="Voice of the child")
    complete = tracked("Supervision records", FindingCategory.AREA_FOR_DEVELOPMENT,
                       Priority.MEDIUM, lead_officer=lead, theme="Workforce",
                       status=ItemStatus.COMPLETE, outcome_evidence="Audit: 95% recorded",
                       signed_off_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC))

    def action(item, description: str, due: date, status: ActionStatus, by=None, **values):
        return ActionFactory(item=item, description=description, due_date=due,
                             status=status, owner=by or lead, created_at=CREATED,
                             **values)

    # 30 days late: more than the 14 that make an item red.
    overdue_action = action(red, "Daily screening rota in place", date(2026, 10, 23),
                            ActionStatus.IN_PROGRESS, partner)
    done_action = action(red, "Analysis workshop held", date(2026, 9, 30),
                         ActionStatus.COMPLETE, completed_on=date(2026, 9, 15))
    # Due within 14 days and not started: amber.
    amber_action = action(amber, "Audit of 30 assessments", date(2026, 11, 30),
                          ActionStatus.NOT_STARTED, owner)
    green_action = action(green, "Themed case file audit of children's views",
                          date(2027, 3, 1), ActionStatus.IN_PROGRESS,
                          original_due_date=date(2027, 1, 15))
    complete_action = action(complete, "Supervision audit", date(2026, 10, 1),
                             ActionStatus.COMPLETE, completed_on=date(2026, 9, 28))
    committee = CommitteeFactory(council_id=council.id,
                                 name="Children's Services Scrutiny Committee")
    committee.inspections = [inspection]
    db.session.commit()
    answered_question, waiting_question = ask_questions(committee, admin, lead, red)
    token = make_api_token(owner, "Power BI dashboard", now=clock.now()).secret
    db.session.commit()

    other = CouncilFactory(name="Southshire County Council")
    other_admin = AdminFactory(council=other)
    other_item = ItemFactory(finding__inspection__council=other, title="Southshire's item")
    other_action = ActionFactory(item=other_item)
    other_committee = CommitteeFactory(council_id=other.id)
    other_committee.inspections = [other_item.finding.inspection]
    db.session.commit()
    _, other_question = ask_questions(other_committee, other_admin,
                                      other_item.lead_officer, other_item)

    report = other_report = None
    if reports:
        report = issue_report(committee, actor=admin, now=clock.now(), rules=RULES)
        other_report = issue_report(other_committee, actor=other_admin, now=clock.now(),
                                    rules=RULES)
        db.session.commit()
    return Seeded(
        council=council, owner=owner, token=token, lead=lead, partner=partner,
        inspection=inspection, strength=strength, red=red, amber=amber, green=green,
        complete=complete, overdue_action=overdue_action, amber_action=amber_action,
        green_action=green_action, done_action=done_action, complete_action=complete_action,
        committee=committee, report=report, other_item=other_item, other_action=other_action,
        other_report=other_report, answered_question=answered_question,
        waiting_question=waiting_question, other_question=other_question,
    )


def ask_questions(committee, clerk, officer, item) -> tuple[object, object]:
    """Two questions at the committee's meeting of 5 November 2026, both for `officer`: one
    about `item`, answered on 12 November, and one whose answer is awaited at the next
    meeting, on 14 January 2027."""
    asked_at = CommitteeMeetingFactory(committee=committee, meeting_date=date(2026, 11, 5))
    CommitteeMeetingFactory(committee=committee, meeting_date=date(2027, 1, 14))

    def ask(text: str, about) -> object:
        return record_question(committee, QuestionDetails(
            meeting=asked_at, question=text, asked_by_name="Councillor Ann Hughes",
            asked_by=None, item=about, officer=officer), actor=clerk,
            now=datetime(2026, 11, 6, 10, 0, tzinfo=UTC))

    answered = ask("Why is screening still late on Fridays?", item)
    answer_question(answered, "Cover on Fridays depends on the force's staffing review.",
                    actor=officer, now=datetime(2026, 11, 12, 15, 0, tzinfo=UTC),
                    expected_version=None)
    waiting = ask("How many families waited more than a day in October?", None)
    db.session.commit()
    return answered, waiting


class Api:
    """The test client as a program using the API: every request carries the token."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.token = token

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def get(self, path: str, *, token: str | None = None, **query):
        """GET a path (or a link the API gave, with its query) as the token's owner."""
        path = path.removeprefix("http://tracker.test")
        return self.client.get(path, query_string=query or None, headers=self.headers(token))


@pytest.fixture
def seeded(app) -> Seeded:
    return seed(reports=False)


@pytest.fixture
def seeded_with_reports(app) -> Seeded:
    return seed()


@pytest.fixture
def api(client, seeded) -> Api:
    return Api(client, seeded.token)
