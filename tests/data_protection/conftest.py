"""An inspection with something in every table under it, whose plan closed long ago, and a
dump of the whole database to compare before and after a removal."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.factories import CommitteeFactory, CommitteeMeetingFactory
from tests.questions.factories import MemberQuestionFactory
from tests.scenario import People, Plan, at, make_plan
from tracker.committees.models import Committee
from tracker.evidence.models import EvidenceFile, EvidencePack, EvidencePackChunk
from tracker.evidence.sniff import FileType
from tracker.extensions import db
from tracker.items.models import ItemStatus
from tracker.jobs.models import RunState
from tracker.partners.models import PartnerLink
from tracker.plan_import.models import PlanImport
from tracker.reports.models import IssuedReport

# What a removal itself writes or changes: the record, the notices, the job's lock.
BOOKKEEPING = {"erasure_record", "history_release", "delivery", "job_lock", "apscheduler_jobs"}


def dump() -> dict[str, list[tuple]]:
    """Every row of every table (but the bookkeeping), in primary-key order, as stored."""
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows[table.name] = [tuple(row) for row in connection.execute(
                sa.select(table).order_by(*table.primary_key.columns))]
    return rows


@dataclass
class Whole:
    """The plan and everything hung on it."""

    plan: Plan
    committee: Committee


def close_plan(plan: Plan, signed_off_at: datetime) -> None:
    """Every tracked item complete and signed off (the last at `signed_off_at`)."""
    for item in (plan.screening, plan.assessments):
        item.status = ItemStatus.COMPLETE
        item.outcome_evidence = "Audits show the change has held."
        item.signed_off_by_id = plan.admin.id
        item.signed_off_at = signed_off_at
    db.session.flush()


def whole_inspection(council, people: People, committee: Committee, meeting, *,
                     closed_at: datetime | None) -> Whole:
    """The scenario's plan with a partner link, a member's question about an item, an
    evidence file, an evidence pack, a plan import and an issued paper of `committee` (which
    follows it alone); its plan closed at `closed_at` (None: still open). Committed."""
    plan = make_plan(council, people=people)
    committee.inspections.append(plan.inspection)
    db.session.add(PartnerLink(action=plan.audit, recipient=people.partner,
                               secret_sha256=secrets.token_hex(32), created_by_id=people.lead.id,
                               created_at=at(2026, 10, 2), expires_at=at(2026, 10, 30)))
    pack = EvidencePack(council_id=council.id, inspection_id=plan.inspection.id,
                        as_of=date(2026, 9, 1), requested_by_id=people.admin.id,
                        state=RunState.DONE, zip_sha256="0" * 64, zip_size=6)
    db.session.add(pack)
    db.session.flush()
    db.session.add(EvidencePackChunk(pack_id=pack.id, attempt=pack.attempts, number=0,
                                     data=b"PK zip"))
    db.session.add(EvidenceFile(council_id=council.id, item_id=plan.screening.id,
                                action_id=plan.audit.id, name="audit.txt",
                                file_type=FileType.TEXT, size=5, sha256="4" * 64,
                                data=b"audit", added_by_id=people.lead.id))
    db.session.add(PlanImport(council_id=council.id, inspection_id=plan.inspection.id,
                              uploaded_by_id=people.admin.id, headers=["Action"],
                              rows=[["Audit"]], filename="plan.xlsx"))
    db.session.add(IssuedReport(
        committee_id=committee.id, version=1, title="Progress report", issued_at=at(2026, 9, 1),
        issued_by_id=people.admin.id, snapshot_json="{}", html=b"<p>", html_sha256="1" * 64,
        pdf=b"%PDF", pdf_sha256="2" * 64, docx=b"PK", docx_sha256="3" * 64))
    if closed_at is not None:
        close_plan(plan, closed_at)
    db.session.commit()
    MemberQuestionFactory(meeting=meeting, item=plan.screening, officer=people.lead,
                          recorded_by=people.admin, changed_by=people.admin)
    db.session.commit()
    return Whole(plan, committee)


def a_committee(council) -> tuple[Committee, object]:
    """A committee of the council, and a meeting of it."""
    committee = CommitteeFactory(council_id=council.id)
    return committee, CommitteeMeetingFactory(committee=committee, meeting_date=date(2026, 8, 20))


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_the_app(app):
    """Every test here works in the app."""
    return app
