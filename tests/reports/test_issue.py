"""Issuing freezes a report: the files stored then are what every later download returns."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select, update

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory
from tests.reports.conftest import RULES, at
from tests.reports.helpers import pdf_text, word_text
from tracker import clock
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus
from tracker.reports.document import Snapshot
from tracker.reports.models import IssuedReport, IssuedReportIsFrozen
from tracker.reports.render_docx import render_docx
from tracker.reports.render_html import render_html
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import draft_snapshot, issue_report


def _issue(known, now=None):
    report = issue_report(known.committee, actor=known.admin, now=now or clock.now(),
                          rules=RULES)
    db.session.commit()
    return report


def test_issuing_stores_the_snapshot_and_three_files_with_their_hashes(known):
    report = _issue(known)
    assert report.version == 1
    assert report.issued_by_id == known.admin.id
    assert report.meeting_date == date(2026, 12, 10)
    for fmt in ("html", "pdf", "docx"):
        data = getattr(report, fmt)
        assert getattr(report, f"{fmt}_sha256") == hashlib.sha256(data).hexdigest()
    snapshot = Snapshot.from_json(report.snapshot_json)
    assert snapshot.version == 1
    # The stored snapshot renders the stored files byte for byte.
    assert render_html(snapshot) == report.html
    assert render_pdf(snapshot) == report.pdf
    assert render_docx(snapshot) == report.docx
    assert "Version 1, issued on 22 November 2026" in pdf_text(report.pdf)


def test_an_issued_report_is_byte_identical_after_its_actions_change(known, client):
    report = _issue(known)
    stored = {fmt: getattr(report, fmt) for fmt in ("html", "pdf", "docx")}
    hashes = {fmt: getattr(report, f"{fmt}_sha256") for fmt in ("html", "pdf", "docx")}

    items.update_action(known.rota, actor=known.lead, now=clock.now(), expected_version=None,
                        status=ActionStatus.COMPLETE, commentary="Rota running",
                        evidence_link="")
    items.change_due_date(known.sample, actor=known.lead, now=clock.now(),
                          new_date=date(2027, 5, 1), reason="New system delayed")
    known.rota.description = "Renamed after issue"
    db.session.commit()

    # The live draft has moved on …
    draft = draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)
    assert "Renamed after issue" in word_text(render_docx(draft))
    # … the issued copy has not.
    sign_in_as(client, known.member)
    for fmt in ("html", "pdf", "docx"):
        response = client.get(f"/reports/{report.id}.{fmt}")
        assert response.status_code == 200
        assert response.data == stored[fmt]
        assert hashlib.sha256(response.data).hexdigest() == hashes[fmt]
    db.session.expire_all()
    again = db.session.get(IssuedReport, report.id)
    assert {fmt: getattr(again, fmt) for fmt in stored} == stored
    assert "Renamed after issue" not in pdf_text(again.pdf)


def test_reissuing_makes_the_next_version_and_keeps_the_first(known):
    first = _issue(known, at(2026, 11, 1))
    second = _issue(known)
    assert (first.version, second.version) == (1, 2)
    assert db.session.scalar(select(func.count()).select_from(IssuedReport)) == 2
    assert "Version 2, issued on 22 November 2026" in pdf_text(second.pdf)
    assert "changed since then" in word_text(second.docx)


def test_an_issued_report_can_be_neither_changed_nor_deleted(known):
    report = _issue(known)
    report.title = "Something else"
    with pytest.raises(IssuedReportIsFrozen):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IssuedReportIsFrozen):
        db.session.delete(db.session.get(IssuedReport, report.id))
        db.session.flush()
    db.session.rollback()


def test_only_an_administrator_of_the_council_can_issue(known):
    with pytest.raises(RuleBroken):
        issue_report(known.committee, actor=known.lead, now=clock.now(), rules=RULES)
    stranger = AdminFactory()  # of another council
    with pytest.raises(RuleBroken):
        issue_report(known.committee, actor=stranger, now=clock.now(), rules=RULES)


def _sheet_rows(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in workbook["Action plan"].iter_rows(values_only=True)]


def test_issuing_freezes_the_committees_full_action_plan_as_its_excel_background_paper(
    known, council, client
):
    elsewhere = ActionFactory(
        item__finding__inspection__council=council,
        item__title="An item of an inspection the committee does not follow")
    db.session.commit()
    report = _issue(known)
    assert report.xlsx_sha256 == hashlib.sha256(report.xlsx).hexdigest()
    rows = _sheet_rows(report.xlsx)
    items_listed = {row[3] for row in rows[1:]}
    assert {"Variable quality of assessments", "Timeliness of contact screening"} <= items_listed
    assert elsewhere.item.title not in items_listed
    actions_listed = {row[12] for row in rows[1:]}
    assert {known.rota.description, known.sample.description} <= actions_listed
    stored = report.xlsx

    # The plan changes after the paper went to the committee …
    items.update_action(known.rota, actor=known.lead, now=clock.now(), expected_version=None,
                        status=ActionStatus.COMPLETE, commentary="Rota running",
                        evidence_link="")
    known.rota.description = "Renamed after issue"
    db.session.commit()

    # … and the background paper is still the one issued, for every role that reads papers.
    sign_in_as(client, known.member)
    page = client.get(f"/reports/{report.id}")
    assert "Full action plan (Excel background paper)" in page.get_data(as_text=True)
    assert f'href="/reports/{report.id}.xlsx"' in page.get_data(as_text=True)
    response = client.get(f"/reports/{report.id}.xlsx")
    assert response.status_code == 200
    assert response.data == stored
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["ETag"] == f'"{hashlib.sha256(stored).hexdigest()}"'
    assert "progress-report-version-1-action-plan.xlsx" in response.headers["Content-Disposition"]
    assert "Renamed after issue" not in {row[12] for row in _sheet_rows(response.data)}


def test_a_report_issued_before_background_papers_were_kept_offers_none(known, client):
    report = _issue(known)
    # As migration 0016 leaves an earlier report: no background paper.
    db.session.execute(update(IssuedReport).where(IssuedReport.id == report.id)
                       .values(xlsx=None, xlsx_sha256=None))
    db.session.commit()
    sign_in_as(client, known.member)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Full action plan (Excel background paper)" not in page
    assert f'href="/reports/{report.id}.xlsx"' not in page
    assert f"/reports/{report.id}.docx" in page
    assert client.get(f"/reports/{report.id}.xlsx").status_code == 404
