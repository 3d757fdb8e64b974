"""A known plan written through the services, so its history is real, with changes on both
sides of 31 October 2026. The clock stands at 22 November 2026 (tests/conftest.py).

As of the end of 31 October 2026:
- "Timeliness of contact screening" (a priority action, so item 1) still has that title
  (renamed on 5 November); its rota action is "In progress" (completed on 10 November), its
  audit action is due 15 January 2027 (moved on 1 October from 1 December 2026), and a
  partner posted an update on its audit action through a partner link on 5 October; the
  contact form action (added 12 November) is not there yet;
- "Variable quality of assessments" is open (marked complete on 3 November with outcome
  evidence, signed off on 4 November by Alex Admin);
- "Learning from audits" (recorded 15 November) is not there at all.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date

import pdfplumber
import pytest

from tests.scenario import RULES, at, make_plan
from tests.scenario import Plan as Scenario
from tracker.audit.models import HistoryKind
from tracker.audit.service import record_history
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.items import service as items
from tracker.items.models import Action, ActionStatus, Item, Priority
from tracker.partners.models import PartnerLink

__all__ = ["BEFORE", "RULES", "Plan", "at", "make_plan_with_changes"]

BEFORE = date(2026, 10, 31)


@dataclass
class Plan(Scenario):
    """The scenario's plan (tests/scenario.py) with changes on both sides of 31 October."""

    learning: Item | None = None
    form: Action | None = None


def make_plan_with_changes(council) -> Plan:
    """The scenario's plan, a partner's update through a link on 5 October, and the changes
    of November that an evidence pack as of 31 October must leave out."""
    plan = make_plan(council)
    admin, lead, partner = plan.admin, plan.lead, plan.partner
    screening, assessments, audit = plan.screening, plan.assessments, plan.audit
    link = PartnerLink(action=audit, recipient=partner, secret_sha256=secrets.token_hex(32),
                       created_by_id=lead.id, created_at=at(2026, 10, 2),
                       expires_at=at(2026, 10, 30))
    db.session.add(link)
    db.session.flush()
    record_history(item=screening, action=audit, author=partner, now=at(2026, 10, 5),
                   kind=HistoryKind.COMMENTARY, text="Police sample of 40 contacts chosen",
                   partner_link=link)
    # After 31 October.
    items.update_action(plan.sample, actor=lead, now=at(2026, 11, 2), expected_version=None,
                        status=ActionStatus.COMPLETE, commentary="30 assessments audited",
                        evidence_link="")
    items.update_action(plan.sign_off, actor=lead, now=at(2026, 11, 2), expected_version=None,
                        status=ActionStatus.COMPLETE, commentary="", evidence_link="")
    items.mark_item_complete(assessments, actor=lead, now=at(2026, 11, 3),
                             outcome_evidence="Audit: 27 of 30 assessments judged good")
    items.sign_off_item(assessments, actor=admin, now=at(2026, 11, 4), comment="Agreed")
    items.edit_item(screening, actor=admin, now=at(2026, 11, 5), expected_version=None,
                    title="Screening contacts within one working day", theme="Front door",
                    priority=Priority.HIGH, target_date=date(2027, 3, 31),
                    measure_of_success="Every contact screened within one working day.",
                    lead_officer=lead, may_change_lead=False)
    items.update_action(plan.rota, actor=lead, now=at(2026, 11, 10), expected_version=None,
                        status=ActionStatus.COMPLETE,
                        commentary="Rota running since 9 November", evidence_link="")
    form = items.add_action(screening, actor=lead, now=at(2026, 11, 12),
                            description="Agree a single online contact form", owner=lead,
                            due_date=date(2027, 2, 1))
    learning = items.create_item(
        inspection=plan.inspection, category=FindingCategory.AREA_FOR_DEVELOPMENT,
        finding_text="Learning from case file audits is not shared.",
        title="Learning from audits", lead_officer=lead, theme="Quality assurance",
        priority=Priority.LOW, target_date=date(2027, 5, 1), measure_of_success="",
        actor=admin, now=at(2026, 11, 15),
    )
    db.session.commit()
    return Plan(**vars(plan), learning=learning, form=form)


@pytest.fixture
def plan(app, council) -> Plan:
    return make_plan_with_changes(council)


# --- reading a pack back ------------------------------------------------------------------


def zip_of(pack) -> bytes:
    """A finished pack's zip, its stored pieces put together (the app serves them one by
    one; a test reads the whole)."""
    from tracker.evidence.service import pack_chunks

    return b"".join(pack_chunks(pack))


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_pages(data: bytes) -> list[str]:
    # A small tolerance keeps words apart where a narrow cell's line is set tight.
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text(x_tolerance=1.5) or "" for page in pdf.pages]


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(pdf_pages(data)).split())


COLUMNS = ["No.", "Action", "Owner", "Due", "First", "Status", "Completed"]


def action_rows(data: bytes) -> list[dict[str, str]]:
    """The actions table of an item's PDF, read back by position: each row's words sorted
    into the columns under the headings, so a wrapped cell still reads as one."""
    rows: list[dict[str, str]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = page.extract_words(x_tolerance=1.5)
            header = next((w for w in words if w["text"] == "No."), None)
            if header is None:
                continue
            starts = {}
            for word in words:
                if abs(word["top"] - header["top"]) < 2 and word["text"] in COLUMNS:
                    starts[word["text"]] = word["x0"]
            assert list(starts) == COLUMNS, starts
            end = min([w["top"] for w in words if w["text"] in ("History", "Outcome")
                       and w["top"] > header["top"]] + [page.height - 70])
            body = [w for w in words if header["top"] + 12 < w["top"] < end]
            numbers = [w for w in body if w["x0"] < starts["Action"] and w["text"].isdigit()]
            for n, number in enumerate(numbers):
                bottom = numbers[n + 1]["top"] - 1 if n + 1 < len(numbers) else end
                cells: dict[str, list[str]] = {name: [] for name in COLUMNS}
                for word in sorted(body, key=lambda w: (round(w["top"]), w["x0"])):
                    if number["top"] - 1 <= word["top"] < bottom:
                        column = [name for name in COLUMNS if word["x0"] >= starts[name] - 1]
                        cells[column[-1]].append(word["text"])
                rows.append({name: " ".join(cells[name]) for name in COLUMNS})
    return rows


def squeeze(text: str) -> str:
    """Text without white space: a long word (a link) wraps anywhere in a narrow cell."""
    return "".join(text.split())


def action_row(data: bytes, starting: str) -> dict[str, str]:
    """The one action whose description starts with these words."""
    (row,) = [row for row in action_rows(data) if row["Action"].startswith(starting)]
    return row


def index_column(data: bytes, heading: str) -> str:
    """The text of one column of the index's table, read down the page."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(x_tolerance=1.5)
        header = next(w for w in words if w["text"] == heading)
        right = min((w["x0"] for w in words
                     if abs(w["top"] - header["top"]) < 2 and w["x0"] > header["x0"]),
                    default=page.width)
        column = page.crop((header["x0"] - 1, header["bottom"] + 1, right - 1, page.height))
        return squeeze(column.extract_text(x_tolerance=1.5) or "")
