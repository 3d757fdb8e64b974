"""A known committee, its inspection, items and actions, written through the services so the
history is real. The clock stands at 22 November 2026 (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.factories import CommitteeFactory

# The real SMTP server on 127.0.0.1, for the report owner's email.
from tests.reminders.conftest import inbox, smtp_server, smtp_server_down  # noqa: F401
from tests.scenario import INSPECTION_TITLE, RULES, Plan, at, make_people, make_plan
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.inspections.service import add_finding, create_inspection

__all__ = ["RULES", "Known", "at", "make_known"]


@dataclass
class Known(Plan):
    """The scenario's plan (tests/scenario.py), reported on by a scrutiny committee."""

    committee: Committee | None = None


def make_known(council) -> Known:
    """The scenario's plan after the previous year's inspection, with the letter's strength and
    what met requirements, and the committee that receives its progress reports."""
    people = make_people(council)
    previous = create_inspection(council_id=council.id, title=INSPECTION_TITLE,
                                 letter_date=date(2025, 8, 20),
                                 visit_dates=[date(2025, 7, 14), date(2025, 7, 15)])
    plan = make_plan(council, people=people, previous_inspection=previous)
    add_finding(plan.inspection, category=FindingCategory.STRENGTH,
                text="The council's continuing commitment to safeguarding.")
    add_finding(plan.inspection, category=FindingCategory.MEETS_REQUIREMENTS,
                text="Section 47 enquiries are timely and risks are identified.")
    committee = CommitteeFactory(
        council_id=council.id,
        name="Children, Young People and Learning Scrutiny Committee",
        report_of="Report of the Executive Director of Children's Services",
        contact_name="Meg Boustead", contact_job_title="Head of Safeguarding",
        contact_telephone="0191 561 2356", contact_email="meg.boustead@sunderham.example",
    )
    committee.inspections = [plan.inspection]
    committee.members = [people.member]
    for day in (date(2026, 12, 10), date(2027, 2, 11), date(2027, 4, 8)):
        db.session.add(CommitteeMeeting(committee=committee, meeting_date=day))
    db.session.commit()
    return Known(**vars(plan), committee=committee)


@pytest.fixture
def known(app, council) -> Known:
    return make_known(council)
