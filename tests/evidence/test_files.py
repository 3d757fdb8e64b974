"""Files as evidence: an owner or lead attaches them to an action or an item; they download
byte for byte as uploaded, only for the council's administrators and managers (and the partner,
through their link, for their own action); committee members see that they exist but cannot
open them; web pages, SVG images and files over 15 MB are refused, saying why."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.factories import (
    ActionFactory,
    AdminFactory,
    CommitteeMemberFactory,
    CouncilFactory,
    ItemFactory,
    UserFactory,
)
from tests.partners.factories import partner_action, send_link
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.evidence.models import EvidenceFile
from tracker.extensions import db
from tracker.items.models import ActionStatus
from tracker.partners import service as partners

pytestmark = pytest.mark.usefixtures("app")

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# A PDF's first bytes and something after them that is the same in no two files.
AUDIT_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(50_000) + b"\n%%EOF\n"
NOTES = "Audit of 40 case files: the child’s views are recorded in 38.\n".encode()


@pytest.fixture
def action():
    """An action owned by a manager who is not the item's lead officer."""
    council = CouncilFactory(name="Northshire County Council")
    lead = UserFactory(council=council, name="Lee Lead")
    owner = UserFactory(council=council, name="Sam Owner")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                       title="Children's views in plans")
    return ActionFactory(item=item, owner=owner, description="Themed audit of case files",
                         status=ActionStatus.IN_PROGRESS)


def update(client, action, *files: tuple[bytes, str], **fields):
    """Post the progress update form with files, as a browser does."""
    data = {"version": str(action.version), "status": action.status.value,
            "commentary": "", "evidence_link": "", **fields,
            "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(f"/actions/{action.id}/update", data=data,
                       content_type="multipart/form-data")


def kept() -> list[EvidenceFile]:
    return list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def test_files_uploaded_with_an_update_download_byte_identical_as_attachments(client, action):
    sign_in_as(client, action.owner)
    response = update(client, action, (AUDIT_PDF, "Audit summary.pdf"), (NOTES, "notes.txt"),
                      commentary="Audit done: summary attached")
    assert response.status_code == 302

    audit, notes = kept()
    assert (audit.name, audit.size, audit.sha256, audit.action_id) == (
        "Audit summary.pdf", len(AUDIT_PDF), hashlib.sha256(AUDIT_PDF).hexdigest(), action.id)
    assert (audit.added_by_id, audit.added_at) == (action.owner_id, NOW)
    entries = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.kind == HistoryKind.EVIDENCE_FILE).order_by(HistoryEntry.id)).all()
    assert [(e.action_id, e.author_id, e.text) for e in entries] == [
        (action.id, action.owner_id, "Audit summary.pdf"), (action.id, action.owner_id,
                                                            "notes.txt")]

    sign_in_as(client, action.item.lead_officer)
    download = client.get(f"/evidence-files/{audit.id}")
    assert download.status_code == 200
    assert download.data == AUDIT_PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''Audit%20summary.pdf"
        if "filename*" in download.headers["Content-Disposition"]
        else 'attachment; filename="Audit summary.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    text = client.get(f"/evidence-files/{notes.id}")
    assert text.data == NOTES
    assert text.mimetype == "text/plain"
    assert text.headers["Content-Disposition"].startswith("attachment")


def test_the_action_and_item_pages_list_the_files_with_who_added_them_and_when(client, action):
    sign_in_as(client, action.owner)
    update(client, action, (AUDIT_PDF, "Audit summary.pdf"),
           evidence_link="https://intranet.example/audit")
    (audit,) = kept()
    for page in (f"/actions/{action.id}", f"/items/{action.item.id}"):
        html = client.get(page).text
        assert f'href="/evidence-files/{audit.id}"' in html
        assert "Audit summary.pdf" in html
        assert "PDF, 49 KB" in html
        assert "Sam Owner" in html
        assert "22 November 2026" in html
        assert 'href="https://intranet.example/audit"' in html


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "report.pdf",
     "“report.pdf” is a web page (HTML), which can hold a script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "chart.svg",
     "“chart.svg” is an SVG image, which can hold a script"),
    (b"%PDF-1.7\n" + bytes(15 * 1024 * 1024), "scan.pdf",
     "“scan.pdf” is 15 MB: each file must be 15 MB or smaller"),
])
def test_html_svg_and_files_over_15_mb_are_refused_with_a_clear_message_and_nothing_is_saved(
    client, action, content, name, message,
):
    sign_in_as(client, action.owner)
    response = update(client, action, (NOTES, "notes.txt"), (content, name),
                      status="complete", commentary="Done")

    assert response.status_code == 400
    assert message in response.text
    assert 'href="#files"' in response.text  # the error summary leads to the field
    db.session.expire_all()
    assert kept() == []
    assert action.status is ActionStatus.IN_PROGRESS
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.action_id == action.id)) == 0


def test_a_request_over_the_16_mb_limit_is_refused_saying_what_the_limits_are(client, action):
    sign_in_as(client, action.owner)
    response = update(client, action, (b"%PDF-1.7\n" + bytes(9 * 1024 * 1024), "one.pdf"),
                      (b"%PDF-1.7\n" + bytes(9 * 1024 * 1024), "two.pdf"))
    assert response.status_code == 413
    assert "each file of evidence can be at most 15 MB" in response.text
    assert kept() == []


def test_a_file_is_not_reachable_from_another_council_anonymously_or_by_a_committee_member(
    client, app, action,
):
    sign_in_as(client, action.owner)
    update(client, action, (AUDIT_PDF, "Audit summary.pdf"))
    (audit,) = kept()
    address = f"/evidence-files/{audit.id}"

    anonymous = app.test_client()
    response = anonymous.get(address)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    elsewhere = AdminFactory(council=CouncilFactory(name="Southshire Council"))
    sign_in_as(client, elsewhere)
    assert client.get(address).status_code == 404

    member = CommitteeMemberFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, member)
    assert client.get(address).status_code == 403
    # The member sees that the file exists, who added it and when, but no way to open it.
    page = client.get(f"/items/{action.item.id}").text
    assert "Audit summary.pdf" in page and "Sam Owner" in page
    assert address not in page
    assert "only the council's staff can open them" in page

    # Every administrator and manager of the council opens it.
    for user in (AdminFactory(council=member.council), UserFactory(council=member.council)):
        sign_in_as(client, user)
        assert client.get(address).data == AUDIT_PDF


def test_the_partner_attaches_and_opens_files_of_their_own_action_through_their_link(client):
    action = partner_action()
    other = ActionFactory(item=action.item, owner=action.owner)
    sent, other_sent = send_link(action), send_link(other)
    response = client.post(f"/partner/{sent.token}", data={
        "version": str(action.version), "status": "in progress", "commentary": "",
        "evidence_link": "", "files": [(io.BytesIO(AUDIT_PDF), "minutes.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    (minutes,) = kept()
    assert minutes.partner_link_id == sent.link.id
    entry = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.kind == HistoryKind.EVIDENCE_FILE)).one()
    assert entry.partner_link_id == sent.link.id

    page = client.get(f"/partner/{sent.token}").text
    assert f'href="/partner/{sent.token}/evidence/{minutes.id}"' in page
    download = client.get(f"/partner/{sent.token}/evidence/{minutes.id}")
    assert download.data == AUDIT_PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    # Not through the link of another action, and not once the link is revoked.
    assert client.get(f"/partner/{other_sent.token}/evidence/{minutes.id}").status_code == 404
    partners.revoke_partner_link(sent.link, actor=action.item.lead_officer, now=NOW)
    db.session.commit()
    assert client.get(f"/partner/{sent.token}/evidence/{minutes.id}").status_code == 410


def test_a_partner_signed_in_opens_only_the_files_of_their_own_actions(client):
    action = partner_action()
    elsewhere = ActionFactory(item=action.item)
    sign_in_as(client, elsewhere.owner)
    update(client, elsewhere, (NOTES, "notes.txt"))
    sign_in_as(client, action.owner)
    update(client, action, (AUDIT_PDF, "minutes.pdf"))
    notes, minutes = kept()
    assert client.get(f"/evidence-files/{minutes.id}").data == AUDIT_PDF
    assert client.get(f"/evidence-files/{notes.id}").status_code == 403


def test_the_lead_officer_adds_files_and_links_as_evidence_of_the_item_itself(client, action):
    item = action.item
    sign_in_as(client, action.owner)
    assert client.get(f"/items/{item.id}/evidence").status_code == 403

    sign_in_as(client, item.lead_officer)
    form = client.get(f"/items/{item.id}/evidence")
    assert 'enctype="multipart/form-data"' in form.text and "multiple" in form.text
    response = client.post(f"/items/{item.id}/evidence", data={
        "link": "https://intranet.example/board-minutes",
        "files": [(io.BytesIO(AUDIT_PDF), "Board report.pdf"), (io.BytesIO(NOTES), "notes.txt")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302

    assert [(f.name, f.action_id, f.item_id) for f in kept()] == [
        ("Board report.pdf", None, item.id), ("notes.txt", None, item.id)]
    kinds = db.session.scalars(select(HistoryEntry.kind).where(
        HistoryEntry.item_id == item.id, HistoryEntry.action_id.is_(None))
        .order_by(HistoryEntry.id)).all()
    assert kinds == [HistoryKind.EVIDENCE, HistoryKind.EVIDENCE_FILE, HistoryKind.EVIDENCE_FILE]
    page = client.get(f"/items/{item.id}").text
    assert 'href="https://intranet.example/board-minutes"' in page
    assert "Board report.pdf" in page and "notes.txt" in page

    empty = client.post(f"/items/{item.id}/evidence", data={"link": ""},
                        content_type="multipart/form-data")
    assert empty.status_code == 400
    assert "Choose a file or enter a link" in empty.text


def test_outcome_evidence_links_are_clickable_and_the_rest_stays_text(client, action):
    action.item.outcome_evidence = ("Audit report: https://intranet.example/audit. "
                                    "<script>alert(1)</script>")
    db.session.commit()
    sign_in_as(client, action.item.lead_officer)
    page = client.get(f"/items/{action.item.id}").text
    assert ('<a class="govuk-link" href="https://intranet.example/audit">'
            'https://intranet.example/audit</a>.') in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_update_with_only_a_file_is_an_update(client, action):
    sign_in_as(client, action.owner)
    assert update(client, action, (NOTES, "notes.txt")).status_code == 302
    assert update(client, action).status_code == 400  # nothing changed, nothing attached
    db.session.expire_all()
    assert action.last_updated_at == NOW
    assert action.completed_on is None and action.due_date == date(2026, 12, 1)
