"""`flask --app tracker report`: drafts, issuing, and the stored copy of an issued report."""

from __future__ import annotations

from sqlalchemy import select

from tests.reports.helpers import pdf_text, word_paragraphs, word_text
from tracker.extensions import db
from tracker.reports.models import IssuedReport


def test_report_command_writes_a_draft_by_committee_name_or_id(runner, known, tmp_path):
    output = tmp_path / "draft.docx"
    result = runner.invoke(args=["report", "--committee", known.committee.name,
                                 "--format", "docx", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert ("Heading 1", "3. Current position") in word_paragraphs(output.read_bytes())
    assert "Timeliness of contact screening. Meg Lead." in word_text(output.read_bytes())
    by_id = tmp_path / "draft.pdf"
    result = runner.invoke(args=["report", "--committee", str(known.committee.id),
                                 "--format", "pdf", "--output", str(by_id)])
    assert result.exit_code == 0, result.output
    assert "DRAFT, not issued" in pdf_text(by_id.read_bytes())
    assert db.session.scalars(select(IssuedReport)).first() is None


def test_report_command_issues_and_prints_the_id_on_the_last_line(runner, known, tmp_path):
    output = tmp_path / "issued.pdf"
    result = runner.invoke(args=["report", "--committee", known.committee.name, "--format",
                                 "pdf", "--output", str(output), "--issue",
                                 "--by", known.admin.email])
    assert result.exit_code == 0, result.output
    report_id = int(result.output.strip().splitlines()[-1])
    db.session.expire_all()
    report = db.session.get(IssuedReport, report_id)
    assert report.version == 1 and report.issued_by_id == known.admin.id
    assert output.read_bytes() == report.pdf


def test_issued_option_writes_the_stored_bytes(runner, known, tmp_path):
    first = tmp_path / "first.docx"
    result = runner.invoke(args=["report", "--committee", str(known.committee.id), "--format",
                                 "docx", "--output", str(first), "--issue"])
    report_id = result.output.strip().splitlines()[-1]
    again = tmp_path / "again.docx"
    result = runner.invoke(args=["report", "--issued", report_id, "--format", "docx",
                                 "--output", str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == first.read_bytes()
    stored = db.session.get(IssuedReport, int(report_id))
    assert again.read_bytes() == stored.docx


def test_report_command_refuses_what_it_cannot_do(runner, known, tmp_path):
    output = str(tmp_path / "x.pdf")
    cases = [
        (["--format", "pdf", "--output", output], "Give either --committee or --issued"),
        (["--committee", "No Such Committee", "--format", "pdf", "--output", output],
         "No committee is called"),
        (["--issued", "999", "--format", "pdf", "--output", output], "no issued report 999"),
        (["--committee", "1", "--format", "pdf", "--output", output, "--issue", "--by",
          known.lead.email], "Only an administrator"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["report", *args])
        assert result.exit_code != 0
        assert message in result.output
    assert db.session.scalars(select(IssuedReport)).first() is None
