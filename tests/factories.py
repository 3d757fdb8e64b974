"""Factories with good defaults: a test says only what matters to it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from tracker.accounts.models import Council, Role, User
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.extensions import db
from tracker.inspections.models import Finding, FindingCategory, Inspection
from tracker.items.models import Action, ActionStatus, Item, ItemStatus, Priority

PASSWORD = "correct horse battery staple"
# A cheap hash keeps the suite fast; production uses werkzeug's default (scrypt).
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class CouncilFactory(BaseFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Northshire County Council {n}")


class UserFactory(BaseFactory):
    class Meta:
        model = User

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Sam Manager {n}")
    email = factory.Sequence(lambda n: f"user{n}@northshire.example")
    job_title = "Safeguarding manager"
    organisation = ""
    role = Role.MANAGER
    active = True
    password_hash = PASSWORD_HASH


class AdminFactory(UserFactory):
    name = factory.Sequence(lambda n: f"Alex Admin {n}")
    role = Role.ADMIN
    job_title = "Performance and improvement officer"


class CommitteeMemberFactory(UserFactory):
    name = factory.Sequence(lambda n: f"Councillor Pat Member {n}")
    role = Role.COMMITTEE_MEMBER
    job_title = "Councillor"


class PartnerFactory(UserFactory):
    name = factory.Sequence(lambda n: f"DI Jo Partner {n}")
    organisation = "Northshire Police"
    job_title = "Detective Inspector, Public Protection Unit"


class InspectionFactory(BaseFactory):
    class Meta:
        model = Inspection

    council = factory.SubFactory(CouncilFactory)
    title = "Annual unannounced inspection of contact, referral and assessment arrangements"
    letter_date = date(2026, 7, 27)
    inspector = "Morgan Inspector"
    inspector_role = "Her Majesty's Inspector"


class FindingFactory(BaseFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    category = FindingCategory.AREA_FOR_DEVELOPMENT
    text = factory.Sequence(
        lambda n: f"Case records do not consistently show the child's views ({n})."
    )
    position = factory.Sequence(int)


class ItemFactory(BaseFactory):
    class Meta:
        model = Item

    finding = factory.SubFactory(FindingFactory)
    title = factory.Sequence(lambda n: f"Children's views in case records {n}")
    lead_officer = factory.SubFactory(
        UserFactory, council=factory.SelfAttribute("..finding.inspection.council")
    )
    theme = "Voice of the child"
    priority = Priority.MEDIUM
    status = ItemStatus.OPEN
    created_at = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    last_updated_at = factory.SelfAttribute("created_at")


class ActionFactory(BaseFactory):
    class Meta:
        model = Action

    item = factory.SubFactory(ItemFactory)
    description = factory.Sequence(lambda n: f"Themed case file audit of children's views {n}")
    owner = factory.SubFactory(
        UserFactory, council=factory.SelfAttribute("..item.finding.inspection.council")
    )
    due_date = date(2026, 12, 1)
    original_due_date = factory.SelfAttribute("due_date")
    status = ActionStatus.NOT_STARTED
    created_at = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    last_updated_at = factory.SelfAttribute("created_at")


class CommitteeFactory(BaseFactory):
    class Meta:
        model = Committee

    council_id = factory.LazyAttribute(lambda o: CouncilFactory().id)
    name = factory.Sequence(lambda n: f"Children's Services Scrutiny Committee {n}")
    report_of = "Report of the Executive Director of Children's Services"


class CommitteeMeetingFactory(BaseFactory):
    class Meta:
        model = CommitteeMeeting

    committee = factory.SubFactory(CommitteeFactory)
    meeting_date = factory.Sequence(lambda n: date(2027, 1, 14) + timedelta(days=28 * n))


# What a newly imported focused-visit letter leaves: four areas for improvement, each tracked
# as an item with no lead officer, no actions and no target date (the words are made up).
FOCUSED_VISIT_FINDINGS = (
    "Managers' oversight of plans for children in need, so that drift is noticed early.",
    "The quality and timeliness of return home interviews for children who go missing.",
    "Recording of the reasons for decisions to step a case down to early help.",
    "The sufficiency of placements for older children with complex needs.",
)


def focused_visit_items(council: Council, *, imported_at: datetime) -> list[Item]:
    """The four items an administrator gets by importing a focused-visit letter, as the
    importer leaves them: no lead officer, no actions, no target date."""
    inspection = InspectionFactory(
        council=council, title="Focused visit to children's services",
        letter_date=(imported_at - timedelta(days=9)).date(), created_at=imported_at)
    return [
        ItemFactory(finding__inspection=inspection,
                    finding__category=FindingCategory.AREA_FOR_IMPROVEMENT,
                    finding__text=text, title=text.rstrip("."), lead_officer=None,
                    target_date=None, created_at=imported_at)
        for text in FOCUSED_VISIT_FINDINGS
    ]
