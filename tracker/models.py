"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from tracker.accounts.models import Council, Role, User
from tracker.audit.models import Update, UpdateKind
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.inspections.models import (
    Finding,
    FindingCategory,
    ImportDraft,
    Inspection,
    InspectionDay,
)
from tracker.items.models import (
    Action,
    ActionStatus,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
    Priority,
    Rag,
)
from tracker.jobs.models import JobLock
from tracker.kept_pages import DataStamp
from tracker.reminders.models import Delivery, DeliveryKind, DeliveryStatus
from tracker.reports.models import IssuedReport

__all__ = [
    "Action",
    "ActionStatus",
    "Committee",
    "CommitteeMeeting",
    "Council",
    "DataStamp",
    "Delivery",
    "DeliveryKind",
    "DeliveryStatus",
    "DueDateChange",
    "DueDateChangeState",
    "Finding",
    "FindingCategory",
    "ImportDraft",
    "Inspection",
    "InspectionDay",
    "IssuedReport",
    "Item",
    "JobLock",
    "ItemStatus",
    "Priority",
    "Rag",
    "Role",
    "Update",
    "UpdateKind",
    "User",
]
