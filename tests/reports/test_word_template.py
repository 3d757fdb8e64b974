"""The Word template a progress report is built on: the standard one we make, a council's own
uploaded by an administrator (checked by content and size, read outside the web process),
and the paper's styles, numbering and layout on each."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from PIL import ImageFont
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.factories import AdminFactory, CommitteeMemberFactory, CouncilFactory, UserFactory
from tests.queued_uploads import after_reading
from tests.reports.conftest import RULES
from tests.reports.helpers import html_text, word_paragraphs, word_part
from tests.reports.word_templates import (
    COUNCIL_NAME_IN_HEADER,
    EXAMPLE_TEXT,
    council_template,
    numbered_heading_template,
    rewrite,
)
from tracker import clock
from tracker.extensions import db
from tracker.reports import standard_template, template_settings, word_template
from tracker.reports.models import WordTemplate
from tracker.reports.render_docx import render_docx
from tracker.reports.service import draft_snapshot, issue_report, render
from tracker.reports.word_template import TemplateProblem, check_template

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MACRO_DOCUMENT = "application/vnd.ms-word.document.macroEnabled.main+xml"


@pytest.fixture
def snapshot(known):
    return draft_snapshot(known.committee, today=clock.today(), now=clock.now(), rules=RULES)


def _styles_xml(data: bytes) -> str:
    return word_part(data, "word/styles.xml")


# --- The standard template ------------------------------------------------------------------


def test_the_committed_standard_template_is_what_its_generator_makes():
    # Compared part by part (names and contents): the zip's compressed bytes may differ
    # between zlib builds, the template does not.
    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return {name: package.read(name) for name in package.namelist()}

    committed = standard_template.PATH.read_bytes()
    assert parts(committed) == parts(standard_template.build()), (
        "Run `.venv/bin/python -m tracker.reports.standard_template` and commit the file")
    assert len(committed) < 10_000


def test_the_standard_template_is_a_plain_council_paper_in_arial_with_numbered_headings():
    data = word_template.standard_template()
    styles = _styles_xml(data)
    assert '<w:rFonts w:ascii="Arial" w:hAnsi="Arial"' in styles
    document = word_template.open_template(data)
    heading1 = word_template.list_level(document, "Heading 1")
    heading2 = word_template.list_level(document, "Heading 2")
    assert heading1 is not None and heading2 is not None
    assert heading1.num_id == heading2.num_id  # one list: a section's items restart at .1
    assert (heading1.patterns[0], heading2.patterns[1]) == ("%1.", "%1.%2")
    # The table style has a header row: bold, shaded and repeated on every page.
    table = re.search(r'<w:style w:type="table" w:styleId="TableGrid">.*?</w:style>', styles)[0]
    first_row = re.search(r'<w:tblStylePr w:type="firstRow">.*?</w:tblStylePr>', table)[0]
    assert "<w:b/>" in first_row and "<w:tblHeader/>" in first_row and "w:fill=" in first_row
    footer = word_part(data, "word/footer1.xml")
    assert re.findall(r'w:instr="([^"]*)"', footer) == ["PAGE", "NUMPAGES"]
    assert "Page " in footer and " of " in footer
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_the_paper_on_the_standard_template_numbers_its_headings_with_words_numbering(snapshot):
    data = render_docx(snapshot)
    document = docx.Document(io.BytesIO(data))
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    # The sections carry no typed number: Word numbers them (1. to 7.); the contact officer
    # and the appendices are Heading 1 too, with numbering turned off.
    assert headings[0].text == "Why has this report come to the Committee?"
    assert [p.text for p in headings[7:]] == [
        "Contact officer", "Appendix A: Open items in brief", "Appendix B: Overdue actions",
        "Appendix C: Changes since the last report"]
    for paragraph in headings[7:]:
        assert paragraph._p.pPr.numPr.numId.val == 0
    paragraphs = word_paragraphs(data)
    assert ("Heading 1", "7. Conclusion") in paragraphs
    assert ("Heading 2", "What is off track, and why") in paragraphs


def test_headings_are_typed_when_the_templates_numbering_would_not_give_the_papers_numbers(
        snapshot):
    # Heading 1 numbered "Section 1": the paper types "1. Why has …" and turns the style's
    # numbering off on each heading, so no heading shows two numbers.
    data = render_docx(snapshot, numbered_heading_template("Section %1"))
    document = docx.Document(io.BytesIO(data))
    sections = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert sections[0].text == "1. Why has this report come to the Committee?"
    assert all(p._p.pPr.numPr.numId.val == 0 for p in sections)
    items = [p for p in document.paragraphs if p.style.name == "Heading 2"]
    assert [p.text for p in items] == ["What is off track, and why"]
    assert all(p._p.pPr.numPr.numId.val == 0 for p in items)


# --- A council's template: its styles are the paper's -----------------------------------------


def test_a_council_template_is_read_in_a_child_process_and_its_own_styles_found():
    check = check_template(council_template(), "council.docx")
    assert check.kind == "docx"
    assert check.styles == {
        "title": "Title", "heading1": "Council Heading 1", "heading2": "Council Heading 2",
        "body": "Council Normal", "bullet": "List Bullet", "caption": None,
        "table": "Council Table", "header": "Header", "footer": "Footer",
    }
    assert [role.key for role in check.missing] == ["caption"]


def test_the_paper_is_written_in_the_council_templates_style_names_and_fonts(snapshot):
    data = render_docx(snapshot, council_template())
    document = docx.Document(io.BytesIO(data))
    used = {p.style.name for p in document.paragraphs}
    assert {"Council Heading 1", "Council Heading 2", "Council Normal", "Title"} <= used
    assert {table.style.name for table in document.tables} == {"Council Table"}
    # The council's fonts come with its styles.
    assert document.styles["Council Heading 1"].font.name == "Georgia"
    assert document.styles["Council Normal"].font.name == "Verdana"
    # The template has no Caption style: the standard one is copied in, and used.
    assert "Caption" in used and document.styles["Caption"].font.size is not None
    # The template's example text is gone; its header stays, with the draft line after it.
    text = "\n".join(p.text for p in document.paragraphs)
    assert EXAMPLE_TEXT not in text
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == COUNCIL_NAME_IN_HEADER
    assert header[-1].startswith("DRAFT, not issued")
    # Its headings are not numbered by Word: their numbers are typed.
    paragraphs = word_paragraphs(data)
    assert ("Council Heading 1", "1. Why has this report come to the Committee?") in paragraphs
    assert ("Council Heading 2", "What is off track, and why") in paragraphs
    assert any('w:instr="NUMPAGES"' in word_part(data, name)
               for name in zipfile.ZipFile(io.BytesIO(data)).namelist()
               if name.startswith("word/footer"))


def test_a_dotx_is_accepted_its_content_type_rewritten_in_memory_only(snapshot):
    dotx = council_template(dotx=True)
    with pytest.raises(ValueError, match="not a Word file"):
        docx.Document(io.BytesIO(dotx))  # python-docx refuses a template as it is
    check = check_template(dotx, "council.dotx")
    assert check.kind == "dotx"
    assert check.styles["heading1"] == "Council Heading 1"
    paper = render_docx(snapshot, dotx)
    assert word_template.TEMPLATE_TYPE not in word_part(paper, "[Content_Types].xml")
    assert ("Council Heading 1", "7. Conclusion") in word_paragraphs(paper)


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def _linked_picture() -> bytes:
    relationship = (
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/image" Target="http://intranet.example/logo.png" '
        'TargetMode="External"/></Relationships>')
    return rewrite(council_template(), "word/_rels/document.xml.rels",
                   lambda text: text.replace(b"</Relationships>", relationship.encode()))


REFUSALS = {
    "an empty file": (b"", "council.docx", "The file is empty"),
    "a file over 5 MB": (b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), "council.docx",
                         "a template can be at most 5 MB"),
    "an older Word file": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "council.dot",
                           "older Word file (.doc or .dot)"),
    "a PDF named .docx": (b"%PDF-1.7\n1 0 obj\n", "council.docx",
                          "named .docx but is not a Word document or template"),
    "plain text": (b"Council report template", "template.txt",
                   "This file is not a Word document or template"),
    "a damaged zip": (b"PK\x03\x04" + b"\x14\x00" * 40, "council.docx", "is damaged"),
    "a cut-off Word file": (council_template()[:3000], "council.docx", "is damaged"),
    "a zip that is not a Word file": (_zip({"notes.txt": "Agenda"}), "notes.docx",
                                      "a zip file but not a Word document"),
    "a spreadsheet": (_zip({"[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/></Types>')}), "plan.docx",
        "may be a spreadsheet or a presentation"),
    "a .docm with macros": (rewrite(council_template(), "[Content_Types].xml",
                                    lambda text: text.replace(
                                        word_template.DOCUMENT_TYPE.encode(),
                                        MACRO_DOCUMENT.encode())),
                            "council.docm", "contains macros"),
    "a .docx carrying a macro project": (rewrite(council_template(), "", lambda text: text,
                                                 add={"word/vbaProject.bin": b"\0" * 64}),
                                         "council.docx", "contains macros"),
    "ActiveX controls": (rewrite(council_template(), "", lambda text: text,
                                 add={"word/activeX/activeX1.xml": b"<ax/>"}),
                         "council.docx", "ActiveX"),
    "a picture linked from another computer": (_linked_picture(), "council.docx",
                                               "links to a picture or file stored elsewhere"),
    "a zip that unpacks past 50 MB": (rewrite(council_template(), "", lambda text: text,
                                              add={"word/media/huge.bin": b"\0" * (51 << 20)}),
                                      "council.docx", "unpacks to more than 50 MB"),
}


@pytest.mark.parametrize("what", list(REFUSALS))
def test_a_file_that_cannot_be_a_template_is_refused_with_what_to_do(what):
    data, filename, message = REFUSALS[what]
    with pytest.raises(TemplateProblem, match=re.escape(message)):
        check_template(data, filename)


def test_reading_a_template_is_stopped_at_the_time_limit(monkeypatch):
    monkeypatch.setattr(word_template, "CHECK_SECONDS", 0.01)
    with pytest.raises(TemplateProblem, match="could not be read within the tracker's limits"):
        check_template(council_template(), "council.docx")


def test_a_template_that_needs_more_memory_than_the_limit_is_refused_not_read():
    # 45 MB of paragraphs (under the unpacked-size limit) take far more than 256 MB once
    # parsed: the child process runs out, the web process is untouched.
    paragraphs = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * (45 * 1024 * 1024 // 34)

    def swollen(text: bytes) -> bytes:
        return text.replace(b"<w:body>", b"<w:body>" + paragraphs, 1)

    data = rewrite(council_template(), "word/document.xml", swollen)
    assert len(data) < word_template.MAX_BYTES
    with pytest.raises(TemplateProblem, match="could not be read within the tracker's limits"):
        check_template(data, "council.docx")


# --- Layout -------------------------------------------------------------------------------


def _body(data: bytes):
    return docx.Document(io.BytesIO(data)).element.body


def test_table_rows_never_split_and_header_rows_repeat(snapshot):
    body = _body(render_docx(snapshot))
    tables = body.findall(qn("w:tbl"))
    assert tables
    for table in tables:
        rows = table.findall(qn("w:tr"))
        assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr.find(qn("w:tblHeader")) is None for row in rows[1:])


def test_headings_captions_and_the_contact_block_keep_with_what_follows(snapshot):
    document = docx.Document(io.BytesIO(render_docx(snapshot)))
    paragraphs = document.paragraphs
    for paragraph in paragraphs:
        if paragraph.style.name in ("Heading 1", "Heading 2", "Caption"):
            assert paragraph.paragraph_format.keep_with_next, paragraph.text
    pictures = [p for p in paragraphs if p._p.findall(f".//{qn('w:drawing')}")]
    assert pictures and all(p.paragraph_format.keep_with_next for p in pictures)
    texts = [p.text for p in paragraphs]
    contact = paragraphs[texts.index("Contact officer") + 1:texts.index("Contact officer") + 4]
    assert [p.text for p in contact][0] == "Meg Boustead, Head of Safeguarding"
    assert [bool(p.paragraph_format.keep_with_next) for p in contact] == [True, True, False]


def test_no_empty_pages_appendices_start_a_page_by_their_heading_and_no_empty_paragraphs(
        snapshot):
    data = render_docx(snapshot)
    body = _body(data)
    assert body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']") == []
    document = docx.Document(io.BytesIO(data))
    appendices = [p for p in document.paragraphs if p.text.startswith("Appendix ")]
    assert len(appendices) == 3
    assert all(p.paragraph_format.page_break_before for p in appendices)
    blocks = list(body.iterchildren())[:-1]  # the section properties last
    for index, element in enumerate(blocks):
        if element.tag != qn("w:p"):
            continue
        has_content = "".join(element.itertext()).strip() or element.findall(
            f".//{qn('w:drawing')}")
        # Only a one-point paragraph closing the body after a final table may be empty.
        assert has_content or (index == len(blocks) - 1
                               and blocks[index - 1].tag == qn("w:tbl")), index


def _points(word: str, bold: bool) -> float:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    font = ImageFont.truetype(f"/usr/share/fonts/truetype/liberation/{name}", 80)
    return font.getlength(word) / 10  # at 8 pt


def test_every_table_column_is_wider_than_its_longest_word(snapshot):
    # Measured with Liberation Sans (Arial's widths) at the cells' 8 pt, a fifth more for
    # wider fonts, plus the cells' side margins (57 twips each): a column narrower than a word
    # would break the word across lines.
    document = docx.Document(io.BytesIO(render_docx(snapshot)))
    for table in document.tables:
        for index, column in enumerate(table.columns):
            cells = [row.cells[index].text for row in table.rows]
            longest = max([_points(word, True) for word in cells[0].split()]
                          + [_points(word, False) for text in cells[1:] for word in text.split()])
            assert column.width.pt >= longest * 1.2 + 5.7, (cells[0], longest,
                                                             column.width.pt)


# --- Storing a council's template -------------------------------------------------------------


def test_an_administrator_replaces_the_councils_template_and_goes_back_to_the_standard(known):
    council_id = known.council_id
    first = template_settings.save_council_template(
        council_id, actor=known.people.admin, now=clock.now(), data=council_template(),
        filename="C:\\Templates\\Committee report.docx")
    db.session.commit()
    assert first.filename == "Committee report.docx"
    assert first.styles["heading1"] == "Council Heading 1"
    again = template_settings.save_council_template(
        council_id, actor=known.people.admin, now=clock.now(), data=council_template(dotx=True),
        filename="Committee report.dotx")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WordTemplate)) == 1
    assert (again.kind, again.filename) == ("dotx", "Committee report.dotx")
    assert template_settings.use_standard_template(council_id, actor=known.people.admin)
    db.session.commit()
    assert template_settings.council_template(council_id) is None
    assert not template_settings.use_standard_template(council_id, actor=known.people.admin)


def test_only_an_administrator_of_the_council_changes_its_template(known):
    for actor in (known.people.lead, known.people.member, AdminFactory(council=CouncilFactory())):
        with pytest.raises(Exception, match="Only an administrator of the council"):
            template_settings.save_council_template(
                known.council_id, actor=actor, now=clock.now(),
                data=council_template(), filename="council.docx")


def test_a_refused_upload_keeps_the_template_in_use_and_says_why(known):
    council_id = known.council_id
    template_settings.save_council_template(council_id, actor=known.people.admin, now=clock.now(),
                                            data=council_template(), filename="good.docx")
    db.session.commit()
    with pytest.raises(Exception, match="contains macros") as refusal:
        template_settings.save_council_template(
            council_id, actor=known.people.admin, now=clock.now(), filename="bad.docm",
            data=REFUSALS["a .docm with macros"][0])
    assert refusal.value.field == "template"
    assert template_settings.council_template(council_id).filename == "good.docx"


def test_drafts_and_issued_papers_use_the_councils_template_and_an_issued_one_keeps_it(known):
    template_settings.save_council_template(known.council_id, actor=known.people.admin,
                                            now=clock.now(), data=council_template(),
                                            filename="council.docx")
    db.session.commit()
    snapshot = draft_snapshot(known.committee, today=clock.today(), now=clock.now(),
                              rules=RULES)
    assert "Council Heading 1" in {style for style, _ in word_paragraphs(render(snapshot,
                                                                                  "docx"))}
    report = issue_report(known.committee, actor=known.people.admin, now=clock.now(), rules=RULES)
    db.session.commit()
    issued = report.docx
    assert "Council Heading 1" in {style for style, _ in word_paragraphs(issued)}
    template_settings.use_standard_template(known.council_id, actor=known.people.admin)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(report), report.id).docx == issued


# --- The page -------------------------------------------------------------------------------


def _upload(client, data: bytes, name: str):
    """Upload a template and wait for the scheduler to check it (tests/queued_uploads.py)."""
    return after_reading(client, client.post(
        "/reports/word-template", data={"template": (io.BytesIO(data), name)},
        content_type="multipart/form-data"))


def test_administrator_uploads_a_template_sees_its_styles_and_what_it_lacks(client, known):
    sign_in_as(client, known.people.admin)
    page = client.get("/reports/word-template")
    assert page.status_code == 200
    text = " ".join(html_text(page.data).split())
    assert "Standard council paper (the tracker's own)" in text
    assert "Go back to the standard template" not in text
    response = _upload(client, council_template(), "Sunderham report.docx")
    assert response.status_code == 302
    page = " ".join(html_text(client.get("/reports/word-template").data).split())
    assert "Sunderham report.docx" in page
    assert "Council Heading 1" in page and "Council Table" in page
    assert ("The council's template has no style for table and figure captions (Caption). "
            "The standard template's style is used for it.") in page
    assert "Go back to the standard template" in page
    download = client.get("/reports/word-template/current")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == DOCX
    assert download.data == council_template()
    assert client.post("/reports/word-template/standard").status_code == 302
    assert template_settings.council_template(known.council_id) is None
    standard = client.get("/reports/word-template/current")
    assert standard.data == word_template.standard_template()
    assert "standard-template.docx" in standard.headers["Content-Disposition"]


@pytest.mark.parametrize("what", ["a .docm with macros", "a damaged zip", "a PDF named .docx",
                                  "a file over 5 MB"])
def test_a_bad_file_is_shown_again_with_its_message_not_an_error(client, known, what):
    sign_in_as(client, known.people.admin)
    data, filename, message = REFUSALS[what]
    response = _upload(client, data, filename)
    assert response.status_code == 400
    assert message in " ".join(html_text(response.data).split())
    assert template_settings.council_template(known.council_id) is None


def test_upload_without_a_file_asks_for_one(client, known):
    sign_in_as(client, known.people.admin)
    response = client.post("/reports/word-template", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose the template file to upload" in response.get_data(as_text=True)


def test_upload_needs_the_form_token(csrf_app, known):
    client = csrf_app.test_client()
    sign_in_as(client, known.people.admin)
    assert _upload(client, council_template(), "council.docx").status_code == 400
    assert template_settings.council_template(known.council_id) is None


def test_managers_and_committee_members_cannot_reach_the_template_page(client, council):
    for person in (UserFactory(council=council), CommitteeMemberFactory(council=council)):
        sign_in_as(client, person)
        assert client.get("/reports/word-template").status_code == 403
        assert _upload(client, council_template(), "council.docx").status_code == 403
        assert client.get("/reports/word-template/current").status_code == 403


def test_an_upload_past_the_request_limit_is_refused_with_a_page_not_an_error(client, known):
    sign_in_as(client, known.people.admin)
    response = _upload(client, b"PK\x03\x04" + b"0" * (17 * 1024 * 1024), "huge.docx")
    assert response.status_code == 413
    assert template_settings.council_template(known.council_id) is None
