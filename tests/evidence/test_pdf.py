"""The evidence pack's PDFs, as Typst typesets them: whatever people typed is printed as the
words it is (never run as Typst markup), and each file is a tagged PDF/UA-1 document with real
headings and tables with header rows."""

from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber
import pytest

from tests.evidence.conftest import at, unzip, zip_of
from tests.factories import UserFactory
from tests.typesetting.helpers import pdfinfo, pdftotext, squeeze, structure, tagged_text, xmp
from tracker import clock
from tracker.evidence.service import produce_queued_packs, request_pack
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.items import service as items
from tracker.items.models import ActionStatus, Priority

HOSTILE = [
    '#read("/etc/passwd")', "@label", "#for x in range(9999999) {}", "$x^2$", "<script>",
    "{ MERGEFIELD x }", "a\ttab", "back\\slash", "*bold*", "= heading",
]
TYPED = " ".join(HOSTILE)
LONG_WORD = "Supercalifragilistic" * 500  # 10,000 characters
# Each page's body without the header and footer, in the order it was typeset.
BODY = ("-raw", "-y", "57", "-H", "708", "-x", "0", "-W", "596")


def make_pack(plan) -> dict[str, bytes]:
    pack = request_pack(council_id=plan.council_id, as_of=clock.today(), inspection=None,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    assert produce_queued_packs().done == 1
    db.session.refresh(pack)
    return unzip(zip_of(pack))


@pytest.fixture
def typed(plan, council):
    """An item with the hostile text in every place its PDF shows what people typed."""
    lead = UserFactory(council=council, name=f"Lead {TYPED}"[:120])
    item = items.create_item(
        inspection=plan.inspection, category=FindingCategory.PRIORITY_ACTION,
        finding_text=f"Finding {TYPED} {LONG_WORD}", title=f"Item {TYPED}", lead_officer=lead,
        theme=TYPED[:100], priority=Priority.LOW, target_date=date(2027, 6, 30),
        measure_of_success=f"Measure {TYPED}", actor=plan.admin, now=at(2026, 8, 2),
    )
    action = items.add_action(item, actor=lead, now=at(2026, 8, 2),
                              description=f"Action {TYPED} {LONG_WORD}", owner=lead,
                              due_date=date(2026, 12, 20))
    items.update_action(action, actor=lead, now=at(2026, 8, 3), expected_version=None,
                        status=ActionStatus.IN_PROGRESS, commentary=f"Commentary {TYPED}",
                        evidence_link=f"https://evidence.example/{'x' * 300}")
    plan.inspection.title = f"Inspection {TYPED}"
    db.session.commit()
    places = {"title": item.title, "finding": item.finding.text, "theme": item.theme,
              "measure": item.measure_of_success, "action": action.description,
              "commentary": f"Commentary {TYPED}", "evidence": action.evidence_link,
              "lead officer": lead.name, "inspection": plan.inspection.title}
    files = make_pack(plan)
    # A priority action, recorded after the known one: second in the pack.
    (name,) = [name for name in files if name.startswith("002-")]
    return files[name], files["000-index.pdf"], places


def test_typed_text_in_every_place_is_printed_literally_and_never_run(typed):
    item_pdf, index_pdf, places = typed
    body = pdftotext(item_pdf, *BODY)
    for place, words in places.items():
        assert squeeze(words) in squeeze(body), place
    assert re.search(r"a\s+tab", body)
    assert "root:x:0" not in pdftotext(item_pdf) + pdftotext(index_pdf)
    headings = [tagged_text(item_pdf, e) for e in structure(item_pdf) if e["type"][:1] == "H"]
    assert headings == [places["title"].replace("\t", " "), "The finding", "Actions",
                        "History", "Outcome and sign-off", "Evidence files"]
    assert squeeze(places["title"]) in squeeze(pdftotext(index_pdf, *BODY))


def test_a_long_value_or_table_row_runs_on_to_the_next_page_not_off_this_one(typed):
    item_pdf, _index_pdf, _places = typed
    with pdfplumber.open(io.BytesIO(item_pdf)) as pdf:
        assert len(pdf.pages) > 4
        for page in pdf.pages:
            body = [char for char in page.chars if char["mcid"] is not None]
            assert all(char["bottom"] <= page.height - 2.6 / 2.54 * 72 + 2 for char in body)
            assert all(char["x1"] <= page.width - 50 for char in page.chars)


def test_each_pdf_is_tagged_pdf_ua_1_with_headings_and_tables_with_header_rows(plan):
    files = make_pack(plan)
    item = files["001-screening-contacts-within-one-working-day.pdf"]
    index = files["000-index.pdf"]
    for data, title in ((item, "Screening contacts within one working day"),
                        (index, "Evidence pack: index, as of 22 November 2026")):
        info = pdfinfo(data)
        assert (info["Tagged"], info["Title"]) == ("yes", title)
        assert "<pdfuaid:part>1</pdfuaid:part>" in xmp(data)
    elements = structure(item)
    assert [tagged_text(item, e) for e in elements if e["type"] in ("H1", "H2")] == [
        "Screening contacts within one working day", "The finding", "Actions", "History",
        "Outcome and sign-off", "Evidence files"]
    (table,) = [e for e in elements if e["type"] == "Table"]
    head = next(c for c in table["children"] if c["type"] == "THead")
    assert [tagged_text(item, c) for c in head["children"][0]["children"]] == [
        "No.", "Action", "Owner", "Due", "First due", "Status", "Completed on"]
    # The facts and the history are lists: a label with its value, one entry after another.
    assert [e["type"] for e in elements if e["type"] == "L"]
    elements = structure(index)
    assert [tagged_text(index, e) for e in elements if e["type"] in ("H1", "H2")] == [
        "Evidence pack: index", "How the status is worked out"]
    (table,) = [e for e in elements if e["type"] == "Table"]
    head = next(c for c in table["children"] if c["type"] == "THead")
    assert [tagged_text(index, c) for c in head["children"][0]["children"]] == [
        "No.", "Item", "Kind", "Progress and status", "Actions", "History", "File"]
