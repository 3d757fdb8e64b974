"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from tracker.access.models import AccessToken, TokenPurpose
from tracker.accounts.models import Council, PasswordReset, Role, User, UserSession
from tracker.audit.models import HistoryEntry, HistoryField, HistoryKind
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.data_protection.models import ErasureRecord, HistoryRelease
from tracker.evidence.models import EvidenceFile, EvidencePack, EvidencePackChunk
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
    CancellationRequest,
    DueDateChange,
    DueDateChangeState,
    Item,
    ItemStatus,
    Priority,
    Rag,
)
from tracker.jobs.models import JobLock, RunState
from tracker.partners.models import PartnerLink
from tracker.plan_import.models import PlanImport
from tracker.questions.models import MemberQuestion
from tracker.reminders.models import Delivery, DeliveryKind, Notice, NoticeKind
from tracker.reports.models import IssuedReport, WordTemplate
from tracker.uploads.models import UploadKind, UploadReading

__all__ = [
    "AccessToken",
    "Action",
    "ActionStatus",
    "CancellationRequest",
    "Committee",
    "CommitteeMeeting",
    "Council",

    "Delivery",
    "DeliveryKind",
    "Notice",
    "NoticeKind",
    "DueDateChange",
    "DueDateChangeState",
    "ErasureRecord",
    "EvidenceFile",
    "EvidencePack",
    "EvidencePackChunk",
    "Finding",
    "FindingCategory",
    "HistoryEntry",
    "HistoryField",
    "HistoryKind",
    "HistoryRelease",
    "ImportDraft",
    "Inspection",
    "InspectionDay",
    "IssuedReport",
    "Item",
    "ItemStatus",
    "JobLock",
    "MemberQuestion",
    "PartnerLink",
    "PasswordReset",
    "PlanImport",
    "Priority",
    "Rag",
    "Role",
    "RunState",
    "TokenPurpose",
    "UploadKind",
    "UploadReading",
    "User",
    "UserSession",
    "WordTemplate",
]
