"""A known committee, its inspection, items and actions, written through the services so the
history is real. The clock stands at 22 November 2026 (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tests.factories import AdminFactory, CommitteeFactory, CommitteeMemberFactory, UserFactory

# The real SMTP server on 127.0.0.1, for the report owner's email.
from tests.reminders.conftest import inbox, smtp_server, smtp_server_down  # noqa: F401
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.extensions import db
from tracker.inspections.models import FindingCategory, Inspection
from tracker.inspections.service import add_finding, create_inspection
from tracker.items import service as items
from tracker.items.models import Action, ActionStatus, Item, Priority
from tracker.items.status import StatusRules

RULES = StatusRules()


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Known:
    council_id: int
    admin: object
    lead: object
    member: object
    committee: Committee
    inspection: Inspection
    screening: Item
    assessments: Item
    workshop: Action
    audit: Action
    rota: Action
    sign_off: Action
    sample: Action


def make_known(council) -> Known:
    admin = AdminFactory(council=council, name="Alex Admin")
    lead = UserFactory(council=council, name="Meg Lead", job_title="Head of Safeguarding")
    partner = UserFactory(council=council, name="Jo Partner", organisation="Northshire Police",
                          job_title="Detective Inspector")
    member = CommitteeMemberFactory(council=council, name="Councillor Ann Hughes")
    previous = create_inspection(
        council_id=council.id,
        title="Annual unannounced inspection of contact, referral and assessment arrangements",
        letter_date=date(2025, 8, 20), visit_dates=[date(2025, 7, 14), date(2025, 7, 15)],
    )
    inspection = create_inspection(
        council_id=council.id,
        title="Annual unannounced inspection of contact, referral and assessment arrangements",
        letter_date=date(2026, 7, 27), visit_dates=[date(2026, 6, 16), date(2026, 6, 17)],
        inspector="Morgan Inspector", inspector_role="His Majesty's Inspector",
        previous_inspection=previous,
    )
    add_finding(inspection, category=FindingCategory.STRENGTH,
                text="The council's continuing commitment to safeguarding.")
    add_finding(inspection, category=FindingCategory.MEETS_REQUIREMENTS,
                text="Section 47 enquiries are timely and risks are identified.")
    created = at(2026, 8, 1)
    assessments = items.create_item(
        inspection=inspection, category=FindingCategory.AREA_FOR_DEVELOPMENT,
        finding_text="The quality of assessments is too variable.",
        title="Variable quality of assessments", lead_officer=lead, theme="Assessment",
        priority=Priority.MEDIUM, target_date=date(2027, 6, 30),
        measure_of_success="Nine in ten audited assessments judged good.",
        actor=admin, now=created,
    )
    screening = items.create_item(
        inspection=inspection, category=FindingCategory.PRIORITY_ACTION,
        finding_text="Contacts are not always screened within one working day.",
        title="Timeliness of contact screening", lead_officer=lead, theme="Front door",
        priority=Priority.HIGH, target_date=date(2027, 3, 31),
        measure_of_success="Every contact screened within one working day.",
        actor=admin, now=created,
        repeat_evidence="This was an area for priority action at the last inspection.",
    )
    workshop = items.add_action(screening, actor=lead, now=created,
                                description="Analysis workshop held", owner=lead,
                                due_date=date(2026, 9, 30))
    audit = items.add_action(screening, actor=lead, now=created,
                             description="Themed case file audit of children's views",
                             owner=partner, due_date=date(2026, 12, 1))
    rota = items.add_action(screening, actor=lead, now=created,
                            description="Daily screening rota in place", owner=lead,
                            due_date=date(2026, 11, 1))
    sign_off = items.add_action(assessments, actor=lead, now=created,
                                description="Assessment sign-off arrangements reviewed",
                                owner=lead, due_date=date(2026, 12, 15))
    sample = items.add_action(assessments, actor=lead, now=created,
                              description="Audit of 30 assessments", owner=partner,
                              due_date=date(2027, 3, 1))
    items.update_action(workshop, actor=lead, now=at(2026, 9, 15), expected_version=None,
                        status=ActionStatus.COMPLETE, commentary="Held with 24 staff",
                        evidence_link="")
    items.update_action(rota, actor=lead, now=at(2026, 10, 20), expected_version=None,
                        status=ActionStatus.IN_PROGRESS, commentary="", evidence_link="")
    items.change_due_date(audit, actor=lead, now=at(2026, 10, 1), new_date=date(2027, 1, 15),
                          reason="The audit team is short-staffed in December")
    committee = CommitteeFactory(
        council_id=council.id,
        name="Children, Young People and Learning Scrutiny Committee",
        report_of="Report of the Executive Director of Children's Services",
        contact_name="Meg Boustead", contact_job_title="Head of Safeguarding",
        contact_telephone="0191 561 2356", contact_email="meg.boustead@sunderham.example",
    )
    committee.inspections = [inspection]
    committee.members = [member]
    for day in (date(2026, 12, 10), date(2027, 2, 11), date(2027, 4, 8)):
        db.session.add(CommitteeMeeting(committee=committee, meeting_date=day))
    db.session.commit()
    return Known(council.id, admin, lead, member, committee, inspection, screening,
                 assessments, workshop, audit, rota, sign_off, sample)


@pytest.fixture
def known(app, council) -> Known:
    return make_known(council)
