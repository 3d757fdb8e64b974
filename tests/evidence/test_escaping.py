"""Whatever people type (markup, scripts, formulas, endless words) is printed as the words it
is: nothing runs, nothing is fetched or linked, nothing leaves the page."""

from __future__ import annotations

import csv
import io
from datetime import date

import pdfplumber
import pytest

from tests.evidence.conftest import at, index_column, pdf_text, squeeze, unzip, zip_of
from tracker import clock
from tracker.evidence.service import produce_queued_packs, request_pack
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.items import service as items
from tracker.items.models import ActionStatus, Priority

SCRIPT = '<script>alert("owned")</script>'
MARKUP = '<b>bold</b> & <a href="javascript:alert(1)">a link</a> <img src="http://evil.example/x.png">'
FORMULA = '=HYPERLINK("http://evil.example/","click")'
LONG = "Supercalifragilistic" * 15
LINK = "https://evidence.example/" + "a" * 200
# As long a word as a title (200 characters) leaves room for: in the heading and the footer.
TITLE_WORD = "Supercalifragilistic" * 7


@pytest.fixture
def hostile_pack(plan):
    item = items.create_item(
        inspection=plan.inspection, category=FindingCategory.PRIORITY_ACTION,
        finding_text=f"Finding {MARKUP} then {LONG} and a\x0bcontrol character",
        title=f"{FORMULA} {TITLE_WORD}", lead_officer=plan.lead, theme=SCRIPT,
        priority=Priority.LOW,
        target_date=date(2027, 6, 30), measure_of_success=f"Measure {LONG}",
        actor=plan.admin, now=at(2026, 8, 2),
    )
    action = items.add_action(item, actor=plan.lead, now=at(2026, 8, 2),
                              description=f"Action {SCRIPT} {LONG}", owner=plan.lead,
                              due_date=date(2026, 12, 20))
    items.update_action(action, actor=plan.lead, now=at(2026, 8, 3), expected_version=None,
                        status=ActionStatus.IN_PROGRESS, commentary=f"Commentary {MARKUP}",
                        evidence_link=LINK)
    pack = request_pack(council_id=plan.council_id, as_of=clock.today(),
                        inspection=None, actor=plan.lead, now=clock.now())
    db.session.commit()
    assert produce_queued_packs().done == 1
    db.session.refresh(pack)
    return unzip(zip_of(pack))


def hostile_pdf(files: dict[str, bytes]) -> bytes:
    # A priority action, recorded after the known one: second in the pack.
    (name,) = [name for name in files if name.startswith("002-")]
    return files[name]


def test_an_items_pdf_shows_hostile_text_literally(hostile_pack):
    text = squeeze(pdf_text(hostile_pdf(hostile_pack)))
    for literal in (SCRIPT, MARKUP, FORMULA, LONG, LINK, TITLE_WORD, "acontrol character"):
        assert squeeze(literal) in text, literal


def test_nothing_is_linked_and_long_words_stay_on_the_page(hostile_pack):
    for name, data in hostile_pack.items():
        if not name.endswith(".pdf"):
            continue
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            assert not any(page.annots for page in pdf.pages), name
            assert not any(page.images for page in pdf.pages), name
            for page in pdf.pages:
                wide = [char["text"] for char in page.chars if char["x1"] > page.width - 30]
                assert not wide, f"{name}: text runs off the page"


def test_the_file_name_is_made_of_safe_characters_only(hostile_pack):
    (name,) = [name for name in hostile_pack if name.startswith("002-")]
    assert name == "002-hyperlink-http-evil-example-click.pdf"


def test_the_index_csv_never_makes_a_formula(hostile_pack):
    rows = list(csv.DictReader(io.StringIO(hostile_pack["000-index.csv"].decode("utf-8-sig"))))
    assert rows[1]["Item"] == f"'{FORMULA} {TITLE_WORD}"
    assert squeeze(f"{FORMULA} {TITLE_WORD}") in index_column(hostile_pack["000-index.pdf"], "Item")

