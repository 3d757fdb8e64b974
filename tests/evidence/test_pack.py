"""The pack the scheduler makes: a PDF per item and an index, as things stood on a day."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime

import pdfplumber
import time_machine

from tests.evidence.conftest import (
    BEFORE,
    action_row,
    action_rows,
    index_column,
    pdf_pages,
    pdf_text,
    squeeze,
    unzip,
    zip_of,
)
from tracker import clock
from tracker.evidence.models import EvidencePack
from tracker.evidence.service import produce_queued_packs, request_pack
from tracker.extensions import db
from tracker.reports.models import RunState

TODAY = date(2026, 11, 22)
NAMES_TODAY = [
    "000-evidence-files.csv",
    "000-index.csv",
    "000-index.pdf",
    "001-screening-contacts-within-one-working-day.pdf",
    "002-variable-quality-of-assessments.pdf",
    "003-learning-from-audits.pdf",
]


def made(plan, as_of: date, inspection=None) -> EvidencePack:
    pack = request_pack(council_id=plan.council_id, as_of=as_of, inspection=inspection,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    assert produce_queued_packs().done == 1
    db.session.refresh(pack)
    assert pack.state is RunState.DONE, pack.message
    return pack


def index_rows(files: dict[str, bytes]) -> list[dict[str, str]]:
    text = files["000-index.csv"].decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_pack_holds_an_index_and_a_pdf_per_item_priority_actions_first(plan):
    pack = made(plan, TODAY)

    files = unzip(zip_of(pack))
    assert sorted(files) == NAMES_TODAY
    assert (pack.items_done, pack.items_total) == (3, 3)
    with zipfile.ZipFile(io.BytesIO(zip_of(pack))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 22, 0, 0, 0)}
    for name in NAMES_TODAY[2:]:
        assert files[name].startswith(b"%PDF")


def test_an_items_pdf_shows_the_finding_actions_history_and_sign_off_as_of_the_day(plan):
    files = unzip(zip_of(made(plan, TODAY)))

    screening = pdf_text(files["001-screening-contacts-within-one-working-day.pdf"])
    for words in [
        "As of 22 November 2026 (the end of that day, UK time)",
        "Item 1 of 3 · Area for priority action",
        "Screening contacts within one working day",
        "Contacts are not always screened within one working day.",
        "Annual unannounced inspection of contact, referral and assessment arrangements",
        "Letter date 27 July 2026", "Visit 16 June 2026, 17 June 2026",
        "Lead officer Meg Lead", "Priority High", "Target date 31 March 2027",
        "Measure of success Every contact screened within one working day.",
        # The history: when, who, what changed, commentary, evidence, partner updates.
        "15 September 2026 at 11:00am · Meg Lead", "Held with 24 staff",
        "Evidence: https://intranet.example/workshop-notes",
        "Due date change: due date from “1 December 2026” to “15 January 2027”",
        "The audit team is short-staffed in December",
        "5 October 2026 at 11:00am · Jo Partner (Northshire Police) · Partner update "
        "Commentary · Action: Themed case file audit of children's views "
        "Police sample of 40 contacts chosen",
        "Edited: title from “Timeliness of contact screening” to “Screening contacts within "
        "one working day”",
        "Rota running since 9 November",
        "Not marked complete by the end of 22 November 2026",
    ]:
        assert words in screening, words
    # Actions: owner, due date, original due date, status and completed-on, by due date.
    pdf = files["001-screening-contacts-within-one-working-day.pdf"]
    rows = action_rows(pdf)
    assert squeeze(rows[0]["Action"]) == squeeze(
        "Analysis workshop held Evidence: https://intranet.example/workshop-notes")
    assert {**rows[0], "Action": ""} == {
        "No.": "1", "Action": "", "Owner": "Meg Lead", "Due": "30 Sep 2026",
        "First": "30 Sep 2026", "Status": "Complete", "Completed": "15 Sep 2026"}
    assert rows[1:] == [
        {"No.": "2", "Action": "Daily screening rota in place", "Owner": "Meg Lead",
         "Due": "1 Nov 2026", "First": "1 Nov 2026", "Status": "Complete",
         "Completed": "10 Nov 2026"},
        {"No.": "3", "Action": "Themed case file audit of children's views",
         "Owner": "Jo Partner (Northshire Police)", "Due": "15 Jan 2027",
         "First": "1 Dec 2026", "Status": "Not started", "Completed": ""},
        {"No.": "4", "Action": "Agree a single online contact form", "Owner": "Meg Lead",
         "Due": "1 Feb 2027", "First": "1 Feb 2027", "Status": "Not started",
         "Completed": ""},
    ]

    assessments = pdf_text(files["002-variable-quality-of-assessments.pdf"])
    assert "Outcome evidence Audit: 27 of 30 assessments judged good" in assessments
    assert "Marked complete by Meg Lead, 3 November 2026 at 10:00am" in assessments
    assert "Signed off by Alex Admin, 4 November 2026 at 10:00am" in assessments
    assert "Progress Complete" in assessments
    assert "Status Complete: Outcome evidenced and signed off." in assessments


def test_every_page_says_as_of_when_and_carries_the_items_title_and_page_number(plan):
    files = unzip(zip_of(made(plan, TODAY)))
    pages = pdf_pages(files["001-screening-contacts-within-one-working-day.pdf"])

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        words = " ".join(page.split())
        assert "As of 22 November 2026" in words
        assert words.endswith(f"Screening contacts within one working day Page {number} of "
                              f"{len(pages)}")


def test_as_of_an_earlier_day_leaves_out_what_came_later_and_shows_the_old_status(plan):
    files = unzip(zip_of(made(plan, BEFORE)))

    # The item recorded on 15 November is left out; the renamed one has its old name.
    assert sorted(files) == ["000-evidence-files.csv", "000-index.csv", "000-index.pdf",
                           "001-timeliness-of-contact-screening.pdf",
                           "002-variable-quality-of-assessments.pdf"]
    screening = pdf_text(files["001-timeliness-of-contact-screening.pdf"])
    assert "As of 31 October 2026" in screening
    pdf = files["001-timeliness-of-contact-screening.pdf"]
    rota = action_row(pdf, "Daily screening rota")
    assert (rota["Status"], rota["Completed"]) == ("In progress", "")
    assert "Rota running since 9 November" not in screening
    assert "Agree a single online contact form" not in screening
    assert "Screening contacts within one working day" not in screening
    # Moved on 1 October: the new date already; the partner's update of 5 October is there.
    audit = action_row(pdf, "Themed case file audit")
    assert (audit["Due"], audit["First"]) == ("15 Jan 2027", "1 Dec 2026")
    assert "Partner update" in screening
    assert [squeeze(row["Action"]) for row in action_rows(pdf)] == [squeeze(words) for words in (
        "Analysis workshop held Evidence: https://intranet.example/workshop-notes",
        "Daily screening rota in place", "Themed case file audit of children's views")]

    assessments = pdf_text(files["002-variable-quality-of-assessments.pdf"])
    sample = action_row(files["002-variable-quality-of-assessments.pdf"], "Audit of 30")
    assert (sample["Status"], sample["Completed"]) == ("Not started", "")
    assert "Progress Open" in assessments
    assert "27 of 30 assessments judged good" not in assessments
    assert "Alex Admin, 4 November" not in assessments
    assert "Not marked complete by the end of 31 October 2026" in assessments


def test_before_a_due_date_moved_the_action_shows_the_date_it_had_then(plan):
    files = unzip(zip_of(made(plan, date(2026, 9, 30))))
    pdf = files["001-timeliness-of-contact-screening.pdf"]
    audit = action_row(pdf, "Themed case file audit")
    assert (audit["Due"], audit["First"], audit["Status"]) == (
        "1 Dec 2026", "1 Dec 2026", "Not started")
    # And the rota, due 1 November, was not overdue yet.
    rota = action_row(pdf, "Daily screening rota")
    assert rota["Status"] == "Not started"
    assert "short-staffed" not in pdf_text(pdf)


def test_the_index_lists_each_item_with_its_file_rag_and_counts_as_of_the_day(plan):
    files = unzip(zip_of(made(plan, BEFORE)))
    rows = index_rows(files)

    assert [(r["No."], r["File"], r["Item"], r["Progress"], r["Status"]) for r in rows] == [
        ("1", "001-timeliness-of-contact-screening.pdf", "Timeliness of contact screening",
         "Open", "Green"),
        ("2", "002-variable-quality-of-assessments.pdf", "Variable quality of assessments",
         "Open", "Green"),
    ]
    first = rows[0]
    assert (first["Actions"], first["Actions complete"], first["Actions open"],
            first["Partner updates"]) == ("3", "1", "2", "1")
    assert first["Kind of finding"] == "Area for priority action"
    index = pdf_text(files["000-index.pdf"])
    assert "Evidence pack: index" in index
    assert "The end of 31 October 2026" in index
    assert index_column(files["000-index.pdf"], "File").startswith(squeeze(
        "001-timeliness-of-contact-screening.pdf 002-variable-quality-of-assessments.pdf"))
    assert "Green 2" in index


def test_an_inspections_pack_holds_only_its_items(plan):
    other = create_other_inspection(plan)
    pack = made(plan, TODAY, inspection=other)
    assert [name for name in unzip(zip_of(pack)) if not name.startswith("000")] == [
        "001-children-s-views-in-plans.pdf"]


def create_other_inspection(plan):
    from tests.evidence.conftest import at
    from tracker.inspections.models import FindingCategory
    from tracker.inspections.service import create_inspection
    from tracker.items import service as items
    from tracker.items.models import Priority

    other = create_inspection(council_id=plan.council_id, title="Focused visit",
                              letter_date=date(2026, 9, 1), visit_dates=[])
    items.create_item(inspection=other, category=FindingCategory.AREA_FOR_IMPROVEMENT,
                      finding_text="Plans do not show children's views.",
                      title="Children's views in plans", lead_officer=plan.lead, theme="",
                      priority=Priority.MEDIUM, target_date=None, measure_of_success="",
                      actor=plan.admin, now=at(2026, 9, 2))
    db.session.commit()
    return other


def test_the_same_data_makes_the_same_bytes_and_the_hash_is_stored(plan):
    first = made(plan, BEFORE)
    # Made again a day and a few hours later: nothing in the files depends on when.
    with time_machine.travel(datetime(2026, 11, 23, 15, 37, 11, tzinfo=UTC), tick=True):
        second = made(plan, BEFORE)

    assert first.id != second.id
    assert zip_of(first) == zip_of(second)
    assert first.zip_sha256 == hashlib.sha256(zip_of(first)).hexdigest()
    assert second.zip_sha256 == first.zip_sha256


def test_rag_and_overdue_are_worked_out_for_the_day_not_for_today(plan):
    # On 5 November the rota, due 1 November, was still in progress: four days overdue.
    files = unzip(zip_of(made(plan, date(2026, 11, 5))))
    first = index_rows(files)[0]
    assert (first["Item"], first["Status"], first["Reason for status"],
            first["Actions overdue"]) == (
        "Screening contacts within one working day", "Amber", "An action is 4 days overdue.",
        "1")
    pdf = files["001-screening-contacts-within-one-working-day.pdf"]
    assert action_row(pdf, "Daily screening rota")["Status"] == "In progress, overdue"
    assert "Status Amber: An action is 4 days overdue." in pdf_text(pdf)


def test_each_pdf_is_tagged_for_screen_readers_and_titled_and_dated_by_the_day(plan):
    files = unzip(zip_of(made(plan, BEFORE)))
    with pdfplumber.open(io.BytesIO(files["001-timeliness-of-contact-screening.pdf"])) as pdf:
        catalog = pdf.doc.catalog
        assert catalog["Lang"] == b"en-GB"
        assert "StructTreeRoot" in catalog and catalog["MarkInfo"]["Marked"] is True
        assert pdf.metadata["Title"] == "Timeliness of contact screening"
        assert pdf.metadata["CreationDate"] == "D:20261031000000Z"
