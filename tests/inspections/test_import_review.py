"""Importing a letter: upload it, review what was read, then create the inspection and items."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.conftest import SHARED, configure, sign_in_as
from tests.factories import AdminFactory, CommitteeMemberFactory, UserFactory
from tests.queued_uploads import after_reading
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.demo.letters import (
    NEWER_FINDINGS,
    OLDER_FINDINGS,
    letter_dates,
    newer_letter,
    older_letter,
)
from tracker.extensions import db
from tracker.inspections import imports
from tracker.inspections.importer.model import (
    ContactOfficer,
    Extraction,
    ProposedAction,
    ProposedFinding,
)
from tracker.inspections.models import (
    Finding,
    FindingCategory,
    ImportDraft,
    Inspection,
)
from tracker.inspections.service import add_finding, create_inspection
from tracker.items.models import Action, ActionStatus, Item

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
OLDER_DATE, OLDER_VISIT = letter_dates(TODAY, 400)
NEWER_DATE, NEWER_VISIT = letter_dates(TODAY, 30)
OLDER = older_letter(OLDER_DATE, OLDER_VISIT)
NEWER = newer_letter(NEWER_DATE, NEWER_VISIT, OLDER_VISIT)


# --- Helpers ---------------------------------------------------------------------------------


class _MainFormFields(HTMLParser):
    """What a browser would send from the page's main form: the post form without an action
    (the sign-out form in the header has one). Unticked boxes and buttons send nothing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: list[str] | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.in_form = (attributes.get("method") or "").lower() == "post" and (
                "action" not in attributes
            )
        if not self.in_form:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attributes.get("value") or "", "selected" in attributes))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea[0], self.textarea[1].strip("\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            fallback = self.options[0][0] if self.options else ""
            self.fields.append((self.select, chosen[0] if chosen else fallback))
            self.select = None


def form_fields(html: bytes) -> MultiDict:
    parser = _MainFormFields()
    parser.feed(html.decode("utf-8"))
    return MultiDict(parser.fields)


def rows_of(fields: MultiDict) -> dict[int, dict[str, str]]:
    """The finding rows of the review form, by row number (0-based)."""
    rows: dict[int, dict[str, str]] = {}
    for name, value in fields.items(multi=True):
        found = re.fullmatch(r"findings-(\d+)-(\w+)", name)
        if found:
            rows.setdefault(int(found[1]), {})[found[2]] = value
    return rows


def put_rows(fields: MultiDict, rows: dict[int, dict[str, str]]) -> MultiDict:
    kept = MultiDict([(k, v) for k, v in fields.items(multi=True)
                      if not k.startswith("findings-")])
    for index, row in rows.items():
        for key, value in row.items():
            kept.add(f"findings-{index}-{key}", value)
    return kept


def upload(client, text: str | bytes, filename: str = "letter.txt"):
    """Upload a letter and wait for the scheduler to read it (tests/queued_uploads.py)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return after_reading(client, client.post(
        "/inspections/import",
        data={"document": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    ))


def draft_id_of(response) -> int:
    assert response.status_code == 302, response.data[:2000]
    found = re.search(r"/inspections/import/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found[1])


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def nothing_saved() -> bool:
    return count(ImportDraft) == 0 and count(Inspection) == 0 and count(Finding) == 0


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.data.decode())).split())


def record_older_letter(council) -> Inspection:
    """The older letter, as if it had been recorded in the tracker before."""
    inspection = create_inspection(
        council_id=council.id, title=OLDER.title, letter_date=OLDER.letter_date,
        visit_dates=list(OLDER.visit_dates), inspector=OLDER.inspector,
    )
    for finding in OLDER.findings:
        add_finding(inspection, category=finding.category, text=finding.text)
    db.session.commit()
    return inspection


def hand_made_draft(council, admin, *, named: str | None = None, **changes) -> ImportDraft:
    """A draft from an extraction made by hand: the review page without the parser.
    `named` is the council the document names (the draft's own council unless given)."""
    extraction = Extraction(
        council=named or council.name,
        document_kind="ofsted_letter",
        inspection_title="Annual unannounced inspection of contact, referral and assessment "
        "arrangements",
        letter_date=changes.pop("letter_date", date(2026, 9, 14)),
        inspection_dates=[date(2026, 8, 4), date(2026, 8, 5)],
        inspector="Morgan Inspector",
        inspector_role="His Majesty's Inspector",
        recipient="Ms Joanna Hartley",
        findings=[
            ProposedFinding("strengths", "Managers know their teams well."),
            ProposedFinding("areas_for_development",
                            "Case records are not up to date. Some lack a chronology."),
            ProposedFinding("areas_for_development", "Supervision is not always recorded.",
                            group="Within three months"),
            ProposedFinding("priority_actions", "Contacts wait too long to be screened."),
        ],
        **changes,
    )
    draft = imports.record_draft(
        council.id, actor=admin, now=NOW, filename="letter.txt", sha256="a" * 64,
        text="The letter's text.", extraction=extraction,
    )
    db.session.commit()
    return draft


@pytest.fixture
def admin(council):
    return AdminFactory(council=council)


@pytest.fixture
def signed_in(client, admin):
    sign_in_as(client, admin)
    return client


# --- The round trip ----------------------------------------------------------------------


def test_admin_uploads_a_letter_edits_the_findings_and_creates_the_inspection(
    signed_in, admin
):
    client = signed_in
    assert b"Import an inspection letter" in client.get("/inspections").data
    assert client.get("/inspections/import").status_code == 200

    draft_id = draft_id_of(upload(client, NEWER.text, "northshire-letter.txt"))
    review = client.get(f"/inspections/import/{draft_id}")
    assert review.status_code == 200
    shown = page_text(review)
    for finding in NEWER_FINDINGS:
        assert " ".join(finding.text.split()) in shown
    assert "Graham Tully" in review.data.decode()

    fields = form_fields(review.data)
    rows = rows_of(fields)
    proposed = [i for i, row in rows.items() if row.get("source")]
    blank = [i for i, row in rows.items() if not row.get("source")]
    assert len(proposed) == len(NEWER_FINDINGS) and blank

    # Edit one finding's text, make another a strength, remove a third, add a new one.
    edited, recategorised, removed = proposed[5], proposed[6], proposed[7]
    rows[edited]["text"] = "Too many assessments are late, and the reasons are not recorded."
    assert rows[recategorised]["category"] == FindingCategory.AREA_FOR_DEVELOPMENT.value
    rows[recategorised]["category"] = FindingCategory.STRENGTH.value
    rows[removed]["remove"] = "y"
    rows[blank[0]].update(
        category=FindingCategory.AREA_FOR_IMPROVEMENT.value,
        text="Return interviews are not offered to every child who goes missing.",
        group="Within three months",
    )
    fields["title"] = "Unannounced inspection of contact, referral and assessment (edited)"
    response = client.post(f"/inspections/import/{draft_id}", data=put_rows(fields, rows))
    assert response.status_code == 302, page_text(response)[:3000]

    [inspection] = db.session.scalars(select(Inspection)).all()
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/next-steps")
    assert inspection.title == fields["title"]
    assert inspection.letter_date == NEWER.letter_date
    assert inspection.visit_dates == list(NEWER.visit_dates)
    assert inspection.source_filename == "northshire-letter.txt"
    assert inspection.source_text and inspection.source_sha256

    expected = [
        (FindingCategory(row["category"]), " ".join(row["text"].split()))
        for index, row in sorted(rows.items())
        if row.get("text", "").strip() and index != removed
    ]
    assert [(f.category, f.text) for f in inspection.findings] == expected
    texts = [f.text for f in inspection.findings]
    assert rows[edited]["text"] in texts
    assert " ".join(rows[removed]["text"].split()) not in texts
    added = inspection.findings[-1]
    assert added.category is FindingCategory.AREA_FOR_IMPROVEMENT
    assert added.group == "Within three months"

    tracked = [f for f in inspection.findings if f.category.is_tracked]
    assert all(f.item is not None for f in tracked)
    assert all(f.item is None for f in inspection.findings if not f.category.is_tracked)
    edited_item = next(f.item for f in tracked if f.text == rows[edited]["text"])
    assert edited_item.title == "Too many assessments are late, and the reasons are not recorded"
    assert edited_item.lead_officer is None
    assert count(Item) == len(tracked)
    created = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.kind == HistoryKind.CREATED,
                                   HistoryEntry.action_id.is_(None))
    ).all()
    assert sorted(u.item_id for u in created) == sorted(f.item.id for f in tracked)
    assert all(u.author_id == admin.id for u in created)
    assert count(ImportDraft) == 0

    page = client.get(response.headers["Location"])
    assert (f"Inspection imported: {len(expected)} findings, {len(tracked)} tracked items"
            in page_text(page))


def test_review_page_shows_the_proposal_beside_the_document_text(signed_in, admin, council):
    draft = hand_made_draft(council, admin)
    response = signed_in.get(f"/inspections/import/{draft.id}")
    assert response.status_code == 200
    html = response.data.decode()
    fields = form_fields(response.data)
    assert fields["title"].startswith("Annual unannounced inspection")
    assert fields.getlist("letter_date") == ["14", "09", "2026"]
    assert fields["visit_dates"] == "4 8 2026, 5 8 2026"
    assert fields["inspector_role"] == "His Majesty's Inspector"
    rows = rows_of(fields)
    assert [(r["category"], r["text"]) for r in rows.values() if r.get("source")] == [
        ("strength", "Managers know their teams well."),
        ("area for development", "Case records are not up to date. Some lack a chronology."),
        ("area for development", "Supervision is not always recorded."),
        ("priority action", "Contacts wait too long to be screened."),
    ]
    assert rows[2]["group"] == "Within three months"
    assert "The letter&#39;s text." in html or "The letter's text." in html
    assert "Create inspection and tracked items" in html
    assert "Cancel import" in html


def test_a_letter_naming_another_council_is_flagged(signed_in, admin, council):
    draft = hand_made_draft(council, admin, named="Staffordshire County Council")
    text = page_text(signed_in.get(f"/inspections/import/{draft.id}"))
    assert f"This document names Staffordshire County Council, not {council.name}" in text
    same = hand_made_draft(council, admin)
    assert "This document names" not in page_text(signed_in.get(f"/inspections/import/{same.id}"))


def test_script_in_a_document_is_shown_as_text(signed_in, admin, council):
    findings = [ProposedFinding("strengths", "<script>alert(1)</script> Staff are kind.")]
    draft = imports.record_draft(
        council.id, actor=admin, now=NOW, filename="<b>letter</b>.txt", sha256="c" * 64,
        text="<script>alert(2)</script>", extraction=Extraction(findings=findings),
    )
    db.session.commit()
    html = signed_in.get(f"/inspections/import/{draft.id}").data.decode()
    assert "<script>alert" not in html and "<b>letter" not in html
    assert "&lt;script&gt;alert(1)" in html and "&lt;script&gt;alert(2)" in html


PDF_LETTER = SHARED / "documents" / "06_warrington_focused-visit_2018-02-23.pdf"


@pytest.mark.skipif(not PDF_LETTER.exists(), reason=f"{PDF_LETTER} is not here")
def test_an_inspectorate_pdf_is_read_into_a_draft_for_review(signed_in):
    draft_id = draft_id_of(upload(signed_in, PDF_LETTER.read_bytes(), PDF_LETTER.name))
    draft = db.session.get(ImportDraft, draft_id)
    assert draft.filename == PDF_LETTER.name
    assert imports.proposed_findings(draft)
    review = signed_in.get(f"/inspections/import/{draft_id}")
    assert review.status_code == 200
    assert "Focused visit to Warrington" in page_text(review)


def test_confirming_a_hand_made_draft_creates_items_titled_from_the_first_sentence(
    signed_in, admin, council
):
    draft = hand_made_draft(council, admin)
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    response = signed_in.post(f"/inspections/import/{draft.id}", data=fields)
    assert response.status_code == 302
    inspection = db.session.scalars(select(Inspection)).one()
    titles = {f.text: f.item.title for f in inspection.findings if f.item}
    assert titles == {
        "Case records are not up to date. Some lack a chronology.":
            "Case records are not up to date",
        "Supervision is not always recorded.": "Supervision is not always recorded",
        "Contacts wait too long to be screened.": "Contacts wait too long to be screened",
    }
    priority = next(f for f in inspection.findings
                    if f.category is FindingCategory.PRIORITY_ACTION)
    assert priority.item.priority.value == "high"
    assert inspection.findings[2].group == "Within three months"


def test_the_review_and_cancel_forms_carry_the_csrf_token(csrf_app, admin, council):
    client = csrf_app.test_client()
    sign_in_as(client, admin)
    for button in ("confirm", "cancel"):
        draft_id = hand_made_draft(council, admin).id
        fields = form_fields(client.get(f"/inspections/import/{draft_id}").data)
        assert fields["csrf_token"]
        path = f"/inspections/import/{draft_id}" + ("/cancel" if button == "cancel" else "")
        fields["allow_duplicate"] = "y"
        assert client.post(path, data=fields).status_code == 302
    assert count(Inspection) == 1 and count(ImportDraft) == 0


# --- Cancelling --------------------------------------------------------------------------------


def test_cancelling_an_import_leaves_nothing_behind(signed_in):
    draft_id = draft_id_of(upload(signed_in, NEWER.text))
    assert count(ImportDraft) == 1
    response = signed_in.post(f"/inspections/import/{draft_id}/cancel")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inspections/import")
    assert nothing_saved()
    assert "Import cancelled: nothing was saved" in page_text(
        signed_in.get("/inspections/import"))
    assert signed_in.get(f"/inspections/import/{draft_id}").status_code == 404


def test_the_cancel_button_posts_the_review_form_to_the_cancel_address(
    signed_in, admin, council
):
    draft = hand_made_draft(council, admin)
    html = signed_in.get(f"/inspections/import/{draft.id}").data.decode()
    assert f'formaction="/inspections/import/{draft.id}/cancel"' in html


def test_an_unfinished_import_is_listed_to_continue_later(signed_in, admin, council):
    draft = hand_made_draft(council, admin)
    page = signed_in.get("/inspections/import")
    assert "Imports waiting for review" in page.data.decode()
    assert f"/inspections/import/{draft.id}" in page.data.decode()


# --- Bad documents -----------------------------------------------------------------------


def _refused(response, field: str = "document") -> str:
    assert response.status_code == 400
    html = response.data.decode()
    assert "There is a problem" in html
    assert f'href="#{field}"' in html
    assert nothing_saved()
    return page_text(response)


def test_an_empty_file_is_refused_with_a_message(signed_in):
    _refused(upload(signed_in, b"", "letter.pdf"))


def test_binary_junk_named_pdf_is_refused_with_a_message(signed_in):
    _refused(upload(signed_in, bytes(range(256)) * 40, "letter.pdf"))


def test_a_word_file_that_is_not_a_zip_is_refused(signed_in):
    _refused(upload(signed_in, b"This is not a Word document at all", "letter.docx"))


def test_a_file_over_the_size_limit_is_refused(signed_in, app):
    configure(app, IMPORT_MAX_BYTES=2000)
    _refused(upload(signed_in, NEWER.text, "letter.txt"))


def test_text_without_findings_is_refused_with_what_to_do(signed_in):
    text = _refused(upload(signed_in, "Dear Sir\n\nThank you for your letter.\n\nYours"))
    assert imports.NO_FINDINGS in text


def test_pasted_text_without_findings_is_refused_on_the_text_box(signed_in):
    response = signed_in.post("/inspections/import", data={"text": "Nothing to see here."})
    text = _refused(response, field="text")
    assert imports.NO_FINDINGS in text


def test_pasted_letter_text_is_read_like_a_file(signed_in):
    response = signed_in.post("/inspections/import", data={"text": NEWER.text})
    draft = db.session.get(ImportDraft, draft_id_of(response))
    assert draft.filename == "Pasted text"
    assert len(imports.proposed_findings(draft)) == len(NEWER_FINDINGS)


def test_the_page_asks_for_a_file_or_text_but_not_both(signed_in):
    text = _refused(signed_in.post("/inspections/import", data={}))
    assert "Choose the file of the letter or report, or paste its text" in text
    response = signed_in.post(
        "/inspections/import",
        data={"document": (io.BytesIO(b"x"), "a.txt"), "text": "Some text"},
        content_type="multipart/form-data",
    )
    assert "Upload a file or paste its text, not both" in _refused(response)


# --- Checking every field --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "Enter the inspection's title"),
        ({"title": "x" * 501}, "Title must be 500 characters or fewer"),
        ({"inspectorate": ""}, "Enter the inspectorate"),
        ({"visit_dates": "31 2 2026"}, "is not a real date"),
        ({"visit_dates": "next Tuesday"}, "is not a real date"),
        ({"letter_date": ["31", "2", "2026"]}, "Letter date must be a real date"),
        ({"inspector": "x" * 201}, "Inspector must be 200 characters or fewer"),
        ({"overall_judgement": "x" * 61}, "Overall judgement must be 60 characters or fewer"),
        ({"findings-1-category": "nonsense"}, "Choose the category from the list"),
        ({"findings-1-text": " "}, "Enter the text of finding 2"),
        ({"findings-1-text": "x" * 10_001}, "10,000 characters or fewer"),
        ({"findings-1-group": "x" * 201}, "200 characters or fewer"),
        ({"findings-4-text": "A new finding with no category"},
         "Choose the category of finding 5"),
        ({"findings-1-source": "elsewhere:1"}, "reload the page"),
        ({"previous_inspection": "999999"}, "from the list"),
        ({"visit_dates": "1 10 2026"}, "The visit must be on or before the letter's date"),
        ({"letter_date": ["1", "1", "2027"]}, "The letter date cannot be in the future"),
        ({"visit_dates": "1 1 2027"}, "The visit dates cannot be in the future"),
    ],
)
def test_every_field_is_checked_and_nothing_is_saved(signed_in, admin, council, change, message):
    draft = hand_made_draft(council, admin)
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    for name, value in change.items():
        fields.setlist(name, value if isinstance(value, list) else [value])
    response = signed_in.post(f"/inspections/import/{draft.id}", data=fields)
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert message in text
    assert count(Inspection) == 0 and count(ImportDraft) == 1


def test_removing_every_finding_is_refused(signed_in, admin, council):
    draft = hand_made_draft(council, admin)
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    rows = rows_of(fields)
    for row in rows.values():
        if row.get("source"):
            row["remove"] = "y"
    response = signed_in.post(f"/inspections/import/{draft.id}", data=put_rows(fields, rows))
    assert response.status_code == 400
    assert "Keep at least one finding, or cancel the import" in page_text(response)
    assert count(Inspection) == 0


def test_the_review_page_never_reads_the_document_again(signed_in, admin, council, monkeypatch):
    from tracker.inspections import importer

    draft = hand_made_draft(council, admin)

    def refuse(*args, **kwargs):
        raise AssertionError("the review page read the document again")

    for name in ("read_document", "parse_text", "import_document"):
        monkeypatch.setattr(importer, name, refuse, raising=False)
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    assert signed_in.post(f"/inspections/import/{draft.id}", data=fields).status_code == 302


# --- Importing the same document twice --------------------------------------------------------


def test_importing_the_same_document_again_needs_a_tick(signed_in):
    first = draft_id_of(upload(signed_in, NEWER.text))
    fields = form_fields(signed_in.get(f"/inspections/import/{first}").data)
    assert "allow_duplicate" not in fields
    assert signed_in.post(f"/inspections/import/{first}", data=fields).status_code == 302

    again = draft_id_of(upload(signed_in, NEWER.text))
    review = signed_in.get(f"/inspections/import/{again}")
    assert "This document looks already imported" in page_text(review)
    assert 'name="allow_duplicate"' in review.data.decode()
    fields = form_fields(review.data)
    # The same file is noticed even when the reviewer retitles it.
    fields["title"] = "A different title"
    refused = signed_in.post(f"/inspections/import/{again}", data=fields)
    assert refused.status_code == 400
    assert "Import it again anyway" in page_text(refused)
    assert count(Inspection) == 1 and count(ImportDraft) == 1

    fields["allow_duplicate"] = "y"
    assert signed_in.post(f"/inspections/import/{again}", data=fields).status_code == 302
    assert count(Inspection) == 2 and count(ImportDraft) == 0


def test_the_same_letter_typed_differently_is_a_duplicate_by_title_and_date(
    signed_in, admin, council
):
    first = hand_made_draft(council, admin)
    fields = form_fields(signed_in.get(f"/inspections/import/{first.id}").data)
    assert signed_in.post(f"/inspections/import/{first.id}", data=fields).status_code == 302
    second = hand_made_draft(council, admin)
    second.sha256 = "b" * 64
    db.session.commit()
    assert imports.duplicate_of(second) is not None
    fields = form_fields(signed_in.get(f"/inspections/import/{second.id}").data)
    assert signed_in.post(f"/inspections/import/{second.id}", data=fields).status_code == 400
    # Another year's letter of the same kind is not a duplicate.
    fields.setlist("letter_date", ["14", "9", "2025"])
    fields.setlist("visit_dates", ["4 8 2025"])
    assert signed_in.post(f"/inspections/import/{second.id}", data=fields).status_code == 302


# --- Repeat findings -----------------------------------------------------------------------


def test_repeat_findings_are_linked_to_the_previous_inspections_matching_findings(
    signed_in, council
):
    older = record_older_letter(council)
    draft_id = draft_id_of(upload(signed_in, NEWER.text))
    review = signed_in.get(f"/inspections/import/{draft_id}")
    fields = form_fields(review.data)
    assert fields["previous_inspection"] == str(older.id)
    assert "the closest wording" in page_text(review)
    older_by_text = {f.text: f for f in older.findings}
    for row in rows_of(fields).values():
        repeat = next((f for f in NEWER_FINDINGS if f.text == row.get("text")), None)
        if repeat is not None and repeat.repeats:
            wanted = next(f.text for f in OLDER_FINDINGS if f.key == repeat.repeats)
            assert row["repeat_of"] == str(older_by_text[wanted].id)
        elif row.get("source"):
            assert row["repeat_of"] == ""

    assert signed_in.post(f"/inspections/import/{draft_id}", data=fields).status_code == 302
    inspection = db.session.scalars(select(Inspection).where(Inspection.id != older.id)).one()
    assert inspection.previous_inspection_id == older.id
    linked = {f.text: f.repeat_of.text for f in inspection.findings if f.repeat_of}
    assert linked == {
        f.text: next(o.text for o in OLDER_FINDINGS if o.key == f.repeats)
        for f in NEWER_FINDINGS
        if f.repeats
    }


def test_the_reviewer_can_change_or_undo_a_proposed_link(signed_in, council):
    older = record_older_letter(council)
    draft_id = draft_id_of(upload(signed_in, NEWER.text))
    fields = form_fields(signed_in.get(f"/inspections/import/{draft_id}").data)
    rows = rows_of(fields)
    linked = [i for i, row in rows.items() if row.get("repeat_of")]
    assert len(linked) == 2
    rows[linked[0]]["repeat_of"] = ""
    rows[linked[1]]["repeat_of"] = str(older.findings[0].id)
    response = signed_in.post(f"/inspections/import/{draft_id}", data=put_rows(fields, rows))
    assert response.status_code == 302
    inspection = db.session.scalars(select(Inspection).where(Inspection.id != older.id)).one()
    assert [f.repeat_of_id for f in inspection.findings if f.repeat_of_id] == [
        older.findings[0].id
    ]
    # The letter's own words still mark both as repeats.
    assert sum(f.is_repeat for f in inspection.findings) == 2


def test_a_letter_without_its_date_is_not_given_a_previous_inspection_by_date_alone(
    signed_in, council, admin
):
    # Which inspections came before it cannot be known: a later one must not be proposed.
    record_older_letter(council)
    draft = hand_made_draft(council, admin, letter_date=None,
                            previous_inspection="the last inspection")
    assert imports.propose_previous_inspection(draft) is None
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    assert fields["previous_inspection"] == ""


def test_choosing_another_previous_inspection_shows_its_findings_before_confirming(
    signed_in, council
):
    older = record_older_letter(council)
    draft_id = draft_id_of(upload(signed_in, NEWER.text))
    fields = form_fields(signed_in.get(f"/inspections/import/{draft_id}").data)
    fields["previous_inspection"] = ""
    response = signed_in.post(f"/inspections/import/{draft_id}", data=fields)
    assert response.status_code == 400
    assert "Check the links of the repeat findings" in page_text(response)
    assert count(Inspection) == 1
    fields = form_fields(response.data)
    assert fields["previous_inspection"] == ""
    assert all(not row.get("repeat_of") for row in rows_of(fields).values())
    assert signed_in.post(f"/inspections/import/{draft_id}", data=fields).status_code == 302
    inspection = db.session.scalars(select(Inspection).where(Inspection.id != older.id)).one()
    assert inspection.previous_inspection_id is None
    assert not any(f.repeat_of_id for f in inspection.findings)


# --- A committee report's actions ----------------------------------------------------------


def test_a_reports_actions_are_added_to_the_items_they_answer(signed_in, admin, council):
    actions = [
        ProposedAction(0, "Case records", "Chronology added to every file November 2025",
                       "November 2025", date(2025, 11, 1)),
        ProposedAction(0, "Case records", "Audit of chronologies from March 2027",
                       "March 2027", date(2027, 3, 1)),
        ProposedAction(1, "Supervision", "Supervision policy agreed"),
    ]
    draft = hand_made_draft(council, admin, actions=actions)
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    assert "Chronology added to every file November 2025" in page_text(
        signed_in.get(f"/inspections/import/{draft.id}"))
    response = signed_in.post(f"/inspections/import/{draft.id}", data=fields)
    assert response.status_code == 302
    assert "3 actions" in page_text(signed_in.get(response.headers["Location"]))

    inspection = db.session.scalars(select(Inspection)).one()
    records, supervision = (f.item for f in inspection.findings
                            if f.category is FindingCategory.AREA_FOR_DEVELOPMENT)
    done, planned = sorted(records.actions, key=lambda a: a.due_date)
    assert done.status is ActionStatus.COMPLETE and done.completed_on == date(2025, 11, 1)
    assert done.due_date == done.original_due_date == date(2025, 11, 1)
    assert planned.status is ActionStatus.NOT_STARTED and planned.due_date == date(2027, 3, 1)
    [undated] = supervision.actions
    # Taken, but the report does not say when: complete, dated as the letter.
    assert undated.status is ActionStatus.COMPLETE
    assert undated.completed_on == inspection.letter_date
    assert {a.owner_id for a in (done, planned, undated)} == {admin.id}
    history = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action_id == done.id)).all()
    assert [u.kind for u in history] == [HistoryKind.CREATED, HistoryKind.STATUS_CHANGE]


def test_actions_of_a_removed_finding_are_not_added(signed_in, admin, council):
    actions = [ProposedAction(0, "Case records", "Chronology added", "Nov 2025",
                              date(2025, 11, 1))]
    draft = hand_made_draft(council, admin, actions=actions)
    fields = form_fields(signed_in.get(f"/inspections/import/{draft.id}").data)
    rows = rows_of(fields)
    rows[1]["remove"] = "y"
    response = signed_in.post(f"/inspections/import/{draft.id}", data=put_rows(fields, rows))
    assert response.status_code == 302
    assert count(Action) == 0


# --- Who may import ------------------------------------------------------------------------


@pytest.mark.parametrize("make_user", [UserFactory, CommitteeMemberFactory],
                         ids=["manager", "committee member"])
def test_only_administrators_reach_the_import_pages(client, admin, council, make_user):
    draft = hand_made_draft(council, admin)
    sign_in_as(client, make_user(council=council))
    assert client.get("/inspections/import").status_code == 403
    assert upload(client, NEWER.text).status_code == 403
    assert client.get(f"/inspections/import/{draft.id}").status_code == 403
    assert client.post(f"/inspections/import/{draft.id}", data={}).status_code == 403
    assert client.post(f"/inspections/import/{draft.id}/cancel").status_code == 403
    assert b"Import an inspection letter" not in client.get("/inspections").data
    assert count(ImportDraft) == 1 and count(Inspection) == 0


def test_another_councils_draft_is_not_found(client, admin, council):
    draft = hand_made_draft(council, admin)
    sign_in_as(client, AdminFactory())
    assert client.get(f"/inspections/import/{draft.id}").status_code == 404
    assert client.post(f"/inspections/import/{draft.id}/cancel").status_code == 404
    assert count(ImportDraft) == 1


def test_a_draft_already_confirmed_cannot_be_confirmed_again(signed_in, admin, council):
    draft_id = hand_made_draft(council, admin).id
    fields = form_fields(signed_in.get(f"/inspections/import/{draft_id}").data)
    assert signed_in.post(f"/inspections/import/{draft_id}", data=fields).status_code == 302
    assert signed_in.post(f"/inspections/import/{draft_id}", data=fields).status_code == 404
    assert count(Inspection) == 1


# --- What a draft keeps ----------------------------------------------------------------------


def test_a_draft_keeps_the_whole_extraction_with_each_findings_group():
    extraction = Extraction(
        council="Northshire County Council",
        inspection_title="Inspection of looked after children services",
        letter_date=date(2013, 8, 23),
        inspection_dates=[date(2013, 8, 5), date(2013, 8, 6)],
        findings=[
            ProposedFinding("areas_for_improvement", "Improve care plans.", group="Immediately"),
            ProposedFinding("strengths", "Children are safe."),
            ProposedFinding("areas_for_improvement", "Improve health assessments.",
                            group="Within three months",
                            repeat_evidence="This was raised at the last inspection."),
        ],
        actions=[ProposedAction(0, "Plans", "Plans reviewed Jan. 2014", "Jan. 2014",
                                date(2014, 1, 1))],
        contact_officer=ContactOfficer("Meg Boustead", "Head of Safeguarding", "0191", "m@x"),
    )
    proposal = imports.proposal_from_extraction(extraction)
    assert proposal["groups"]["areas_for_improvement"] == ["Immediately", "Within three months"]
    again = imports.extraction_from_proposal(proposal)
    assert again.to_json() == extraction.to_json()
    assert [f.group for f in again.in_list("areas_for_improvement")] == [
        "Immediately", "Within three months"
    ]


# --- Short titles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Case records are not up to date. Some lack a chronology.",
         "Case records are not up to date"),
        ("Supervision is regular.", "Supervision is regular"),
        ("There is a systemic weakness in responding to and investigating child protection "
         "concerns in the First Response Team.",
         "There is a systemic weakness in responding to and investigating child protection…"),
        ("x" * 120, "x" * 80 + "…"),
    ],
)
def test_an_items_first_title_is_the_findings_first_words(text, title):
    assert imports.short_title(text) == title
    assert len(imports.short_title(text)) <= imports.SHORT_TITLE_LENGTH + 1


def test_the_document_text_is_shown_without_markdown(signed_in, admin, council):
    draft = imports.record_draft(
        council.id, actor=admin, now=NOW, filename="letter.docx", sha256="d" * 64,
        text="## Areas for development\nCase records are late.\n### Next steps\nAudit them.",
        extraction=Extraction(findings=[ProposedFinding("strengths", "Staff are kind.")]),
    )
    db.session.commit()
    html = signed_in.get(f"/inspections/import/{draft.id}").data.decode()
    region = html[html.index('id="document-text-heading"'):]
    assert "##" not in region
    assert "govuk-!-font-weight-bold govuk-!-margin-top-3 govuk-!-margin-bottom-1\">Areas for "\
           "development</p>" in region
    assert "Case records are late." in region


def _letter_with_findings(number: int) -> str:
    return "Dear Director\n\nAreas for development\n\n" + "\n".join(
        f"- The council should review case file number {n} and record the outcome."
        for n in range(number))


def test_a_letter_with_too_many_findings_is_refused_with_what_to_do(signed_in):
    response = signed_in.post("/inspections/import",
                              data={"text": _letter_with_findings(500)})
    text = _refused(response, field="text")
    assert "This document has 500 findings; the tracker takes at most 400" in text


def test_a_letter_with_the_most_findings_allowed_can_be_reviewed(signed_in):
    response = signed_in.post("/inspections/import",
                              data={"text": _letter_with_findings(imports.MOST_FINDINGS)})
    page = signed_in.get(f"/inspections/import/{draft_id_of(response)}")
    assert page.status_code == 200
    assert "case file number 399" in page.text


def test_a_draft_kept_with_more_findings_than_the_form_takes_still_opens(signed_in, admin):
    from tracker.inspections.importer import parse_text

    draft = ImportDraft(council_id=admin.council_id, filename="letter.txt", sha256="1" * 64,
                        source_text="Letter",
                        proposal=imports.proposal_from_extraction(
                            parse_text(_letter_with_findings(520))))
    db.session.add(draft)
    db.session.commit()
    page = signed_in.get(f"/inspections/import/{draft.id}")
    assert page.status_code == 200
