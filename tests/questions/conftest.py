"""A committee that met on 5 November 2026 and meets next on 14 January 2027, its clerk (an
administrator), the officer who reports back, and an item it follows. The clock stands at
noon on Sunday 22 November 2026 (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tests.factories import (
    AdminFactory,
    CommitteeFactory,
    CommitteeMeetingFactory,
    CommitteeMemberFactory,
    ItemFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.questions.service import QuestionDetails, record_question

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
LAST_MEETING = date(2026, 11, 5)
NEXT_MEETING = date(2027, 1, 14)
QUESTION = "Why are contacts from the police still screened late on Fridays?"


@dataclass
class Scene:
    council: object
    clerk: object  # an administrator
    officer: object  # Meg Lead, Head of Safeguarding, who reports back
    other_manager: object
    member: object  # a councillor with an account
    committee: object
    last_meeting: object
    next_meeting: object
    item: object

    def details(self, **changes) -> QuestionDetails:
        """A question as the clerk records it, with `changes`."""
        values = {"meeting": self.last_meeting, "question": QUESTION,
                  "asked_by_name": "Councillor Ann Hughes", "asked_by": None, "item": self.item,
                  "officer": self.officer}
        return QuestionDetails(**{**values, **changes})

    def ask(self, now: datetime = NOW, **changes):
        """Record a question (committed) as the clerk."""
        question = record_question(self.committee, self.details(**changes), actor=self.clerk,
                                   now=now)
        db.session.commit()
        return question

    def form(self, **changes) -> dict[str, str]:
        """The record-a-question form as the clerk fills it in, with `changes`."""
        values = {"meeting": str(self.last_meeting.id), "question": QUESTION,
                  "asked_by_name": "Councillor Ann Hughes", "asked_by": "",
                  "item": str(self.item.id), "officer": str(self.officer.id)}
        return {**values, **changes}


@pytest.fixture
def scene(app, council) -> Scene:
    clerk = AdminFactory(council=council, name="Priya Shah")
    officer = UserFactory(council=council, name="Meg Lead", email="meg.lead@northshire.example",
                          job_title="Head of Safeguarding")
    item = ItemFactory(finding__inspection__council=council, lead_officer=officer,
                       title="Timeliness of contact screening")
    committee = CommitteeFactory(council_id=council.id,
                                 name="Children's Services Scrutiny Committee")
    committee.inspections = [item.finding.inspection]
    last = CommitteeMeetingFactory(committee=committee, meeting_date=LAST_MEETING)
    upcoming = CommitteeMeetingFactory(committee=committee, meeting_date=NEXT_MEETING)
    db.session.commit()
    return Scene(council=council, clerk=clerk, officer=officer,
                 other_manager=UserFactory(council=council, name="Daniel Okafor"),
                 member=CommitteeMemberFactory(council=council, name="Councillor Ann Hughes"),
                 committee=committee, last_meeting=last, next_meeting=upcoming, item=item)
