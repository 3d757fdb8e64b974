"""Who sees drafts, who issues, who downloads: the report pages and their files."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.factories import AdminFactory, CommitteeMemberFactory, UserFactory
from tests.reports.conftest import RULES, make_known
from tests.reports.helpers import html_text
from tracker import clock
from tracker.extensions import db
from tracker.reports.models import IssuedReport, ReportRun, RunState
from tracker.reports.runs import produce_queued_reports
from tracker.reports.service import issue_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SAFE_NAME = re.compile(r'^attachment; filename=[a-z0-9-]+\.(pdf|docx|html)$')


def _issued(known) -> IssuedReport:
    report = issue_report(known.committee, actor=known.admin, now=clock.now(), rules=RULES)
    db.session.commit()
    return report


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(IssuedReport))


def _drafts(committee_id: int) -> list[str]:
    base = f"/committees/{committee_id}/report"
    return [base, base + ".docx", base + ".html"]


def test_committee_member_reads_and_downloads_issued_reports_of_their_council(client, known):
    report = _issued(known)
    sign_in_as(client, known.member)
    listing = client.get("/reports")
    assert listing.status_code == 200
    assert f"/reports/{report.id}.pdf" in listing.data.decode()
    page = client.get(f"/reports/{report.id}")
    assert page.status_code == 200
    text = html_text(page.data)
    assert "Timeliness of contact screening. Meg Lead." in re.sub(r"\s+", " ", text)
    assert report.pdf_sha256 in text
    for fmt, mimetype in (("pdf", "application/pdf"), ("docx", DOCX),
                          ("html", "text/html; charset=utf-8")):
        response = client.get(f"/reports/{report.id}.{fmt}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == mimetype
        assert SAFE_NAME.match(response.headers["Content-Disposition"])
        assert response.headers["Content-Disposition"].endswith(f"-version-1.{fmt}")


def test_committee_member_cannot_see_drafts_or_issue(client, known):
    sign_in_as(client, known.member)
    for path in _drafts(known.committee.id):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/committees/{known.committee.id}/report/issue").status_code == 403
    assert client.get(f"/committees/{known.committee.id}/report/details").status_code == 403
    assert _count() == 0


def test_manager_sees_and_downloads_drafts_but_cannot_issue(client, known):
    sign_in_as(client, known.lead)
    page = client.get(f"/committees/{known.committee.id}/report")
    assert page.status_code == 200
    assert "Issue version" not in page.data.decode()
    asked = client.post(f"/committees/{known.committee.id}/report/pdf")
    assert asked.status_code == 302 and "/report-runs/" in asked.headers["Location"]
    run_page = asked.headers["Location"]
    assert "Waiting to start" in client.get(run_page).data.decode()
    assert client.get(run_page + ".pdf").status_code == 404  # not produced yet
    assert produce_queued_reports().done == 1
    assert "Ready" in client.get(run_page).data.decode()
    pdf = client.get(run_page + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert SAFE_NAME.match(pdf.headers["Content-Disposition"])
    assert pdf.headers["Content-Disposition"].endswith("-draft-2026-11-22.pdf")
    docx = client.get(f"/committees/{known.committee.id}/report.docx")
    assert docx.headers["Content-Type"] == DOCX and docx.data.startswith(b"PK")
    assert client.post(f"/committees/{known.committee.id}/report/issue").status_code == 403
    assert _count() == 0


def test_administrator_issues_with_the_forms_token_and_is_shown_the_issued_report(
    csrf_app, known
):
    client = csrf_app.test_client()
    sign_in_as(client, known.admin)
    page = client.get(f"/committees/{known.committee.id}/report")
    assert "Issue version 1" in page.data.decode()
    # Without the form's token nothing is issued.
    assert client.post(f"/committees/{known.committee.id}/report/issue").status_code == 400
    assert _count() == 0
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page.data.decode()).group(1)
    response = client.post(f"/committees/{known.committee.id}/report/issue",
                           data={"csrf_token": token})
    assert response.status_code == 302
    run = db.session.scalars(select(ReportRun)).one()
    assert response.headers["Location"].endswith(f"/report-runs/{run.id}")
    # The scheduler process issues it; until then the page says it is waiting.
    assert _count() == 0
    assert "Waiting to start" in client.get(response.headers["Location"]).data.decode()
    draft = client.get(f"/committees/{known.committee.id}/report").data.decode()
    assert "Version 1 is being issued now" in draft and "Issue version" not in draft
    # A second press while it waits does not queue a second issue.
    again = client.post(f"/committees/{known.committee.id}/report/issue",
                        data={"csrf_token": token})
    assert again.headers["Location"] == response.headers["Location"]
    assert produce_queued_reports().done == 1
    report = db.session.scalars(select(IssuedReport)).one()
    shown = client.get(response.headers["Location"]).data.decode()
    assert "Version 1 issued" in shown and f"/reports/{report.id}" in shown
    assert run.state is RunState.DONE and run.issued_report_id == report.id
    assert "Issue version 2" in client.get(f"/committees/{known.committee.id}/report").data.decode()


def test_another_councils_reports_and_drafts_are_not_found(client, known, council):
    report = _issued(known)
    other = make_known_elsewhere()
    for user in (other["admin"], other["member"]):
        sign_in_as(client, user)
        for path in [f"/reports/{report.id}", f"/reports/{report.id}.pdf",
                     f"/reports/{report.id}.docx", f"/reports/{report.id}.html",
                     f"/reports?committee={known.committee.id}"]:
            assert client.get(path).status_code == 404, path
        assert f"/reports/{report.id}" not in client.get("/reports").data.decode()
    sign_in_as(client, other["admin"])
    for path in _drafts(known.committee.id):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/committees/{known.committee.id}/report/issue").status_code == 404
    assert _count() == 1


def make_known_elsewhere() -> dict:
    admin = AdminFactory()
    return {"admin": admin, "member": CommitteeMemberFactory(council=admin.council)}


def test_administrator_sets_the_report_title_and_contact_officer(client, known):
    sign_in_as(client, known.admin)
    path = f"/committees/{known.committee.id}/report/details"
    form = client.get(path)
    assert form.status_code == 200 and "Meg Boustead" in form.data.decode()
    bad = client.post(path, data={"contact_name": "Sam Officer", "contact_email": "not an email"})
    assert bad.status_code == 400
    assert "Enter an email address in the correct format" in bad.data.decode()
    good = client.post(path, data={
        "report_title": "Front door progress", "contact_name": "Sam Officer",
        "contact_job_title": "Service Manager", "contact_telephone": "01234 567890",
        "contact_email": "Sam.Officer@Council.example",
    })
    assert good.status_code == 302
    db.session.refresh(known.committee)
    assert known.committee.report_title == "Front door progress"
    assert known.committee.contact_email == "sam.officer@council.example"
    draft = client.get(f"/committees/{known.committee.id}/report.html")
    text = html_text(draft.data)
    assert "Front door progress" in text
    assert "Sam Officer, Service Manager" in text


@pytest.mark.parametrize("role", ["member", "lead", "admin"])
def test_committee_page_links_to_its_reports_as_each_role_may(client, known, role):
    user = getattr(known, role)
    sign_in_as(client, user)
    html = client.get(f"/committees/{known.committee.id}").data.decode()
    assert f"/reports?committee={known.committee.id}" in html
    assert (f"/committees/{known.committee.id}/report\"" in html) == (role != "member")
    assert (f"/committees/{known.committee.id}/report/details" in html) == (role == "admin")


def test_a_manager_of_the_council_who_sits_on_no_committee_still_reads_issued_reports(
    client, known
):
    report = _issued(known)
    sign_in_as(client, UserFactory(council=known.admin.council))
    assert client.get(f"/reports/{report.id}.docx").status_code == 200


def test_second_known_council_has_its_own_reports(client, app):
    # Two councils each with a known report: each list shows only its own.
    from tests.factories import CouncilFactory

    first = make_known(CouncilFactory())
    second = make_known(CouncilFactory())
    mine, theirs = _issued(first), _issued(second)
    sign_in_as(client, first.member)
    listing = client.get("/reports").data.decode()
    assert f"/reports/{mine.id}\"" in listing
    assert f"/reports/{theirs.id}\"" not in listing
