"""The one known council the report, evidence-pack and API tests read: its people, and an
inspection whose two tracked items and five actions are written through the services, so
their history is real. The clock stands at 22 November 2026 (tests/conftest.py).

Each area adds what it needs on top (a committee, later changes, a second council) in its own
conftest, so the common part is written once and every area's tests speak of the same people
and the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tests.factories import AdminFactory, CommitteeMemberFactory, UserFactory
from tracker.inspections.models import FindingCategory, Inspection
from tracker.inspections.service import create_inspection
from tracker.items import service as items
from tracker.items.models import Action, ActionStatus, Item, Priority
from tracker.settings import default_settings

RULES = default_settings().status_rules
INSPECTION_TITLE = ("Annual unannounced inspection of contact, referral and assessment "
                    "arrangements")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in UTC, 10:00 unless told."""
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@dataclass
class People:
    """The council's people in the scenario."""

    admin: object  # Alex Admin, who sets items up and signs them off
    lead: object  # Meg Lead, Head of Safeguarding, who leads both items
    partner: object  # Jo Partner, Detective Inspector at Northshire Police
    member: object  # Councillor Ann Hughes, on the scrutiny committee


@dataclass
class Plan:
    """The inspection, its two tracked items and their actions, as written on 1 August 2026.

    - "Timeliness of contact screening" (a repeat priority action): the analysis workshop
      completed on 15 September, the case file audit (the partner's) moved on 1 October from
      1 December 2026 to 15 January 2027, the screening rota in progress since 20 October;
    - "Variable quality of assessments": the sign-off review due 15 December 2026 and the
      partner's audit of 30 assessments due 1 March 2027, neither started.
    """

    council_id: int
    people: People
    inspection: Inspection
    screening: Item
    assessments: Item
    workshop: Action
    audit: Action
    rota: Action
    sign_off: Action
    sample: Action

    @property
    def admin(self):
        return self.people.admin

    @property
    def lead(self):
        return self.people.lead

    @property
    def partner(self):
        return self.people.partner

    @property
    def member(self):
        return self.people.member


def make_people(council) -> People:
    """The four people, in `council`."""
    return People(
        admin=AdminFactory(council=council, name="Alex Admin"),
        lead=UserFactory(council=council, name="Meg Lead", job_title="Head of Safeguarding"),
        partner=UserFactory(council=council, name="Jo Partner",
                            organisation="Northshire Police", job_title="Detective Inspector"),
        member=CommitteeMemberFactory(council=council, name="Councillor Ann Hughes"),
    )


def make_plan(council, *, people: People | None = None,
              previous_inspection: Inspection | None = None) -> Plan:
    """The plan, flushed but not committed: the caller adds its own part and commits."""
    people = people or make_people(council)
    admin, lead, partner = people.admin, people.lead, people.partner
    inspection = create_inspection(
        council_id=council.id, title=INSPECTION_TITLE,
        letter_date=date(2026, 7, 27), visit_dates=[date(2026, 6, 16), date(2026, 6, 17)],
        inspector="Morgan Inspector", inspector_role="His Majesty's Inspector",
        previous_inspection=previous_inspection,
    )
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

    def action(item: Item, description: str, owner: object, due: date) -> Action:
        return items.add_action(item, actor=lead, now=created, description=description,
                                owner=owner, due_date=due)

    workshop = action(screening, "Analysis workshop held", lead, date(2026, 9, 30))
    audit = action(screening, "Themed case file audit of children's views", partner,
                   date(2026, 12, 1))
    rota = action(screening, "Daily screening rota in place", lead, date(2026, 11, 1))
    sign_off = action(assessments, "Assessment sign-off arrangements reviewed", lead,
                      date(2026, 12, 15))
    sample = action(assessments, "Audit of 30 assessments", partner, date(2027, 3, 1))
    items.update_action(workshop, actor=lead, now=at(2026, 9, 15), expected_version=None,
                        status=ActionStatus.COMPLETE, commentary="Held with 24 staff",
                        evidence_link="https://intranet.example/workshop-notes")
    items.change_due_date(audit, actor=lead, now=at(2026, 10, 1), new_date=date(2027, 1, 15),
                          reason="The audit team is short-staffed in December")
    items.update_action(rota, actor=lead, now=at(2026, 10, 20), expected_version=None,
                        status=ActionStatus.IN_PROGRESS, commentary="Rota drafted",
                        evidence_link="")
    return Plan(council.id, people, inspection, screening, assessments, workshop, audit,
                rota, sign_off, sample)
