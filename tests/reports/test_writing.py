"""The words the tracker writes in the paper follow the council's writing rules: counts under
ten in words, no sentence starting with a figure, thousands separators, long dates, no
internal labels or pasted rule text, nothing that contradicts the data, no generated sentence
over 40 words. Quoted findings and commentary stay as written, so only the tracker's own
paragraphs are checked: on the demo council's paper, and on the paper of bench data's board
that follows every inspection (200 items with long, real-shaped findings and commentary),
whose PDF and Word file are held to their pages here too (one build of the bench data for
both)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.reports.helpers import pdf_pages
from tests.reports.libreoffice import lay_out
from tests.reports.test_paper_size import ALL_PAGES, BODY_PAGES, body_pages
from tracker import clock
from tracker.committees.models import Committee
from tracker.demo.bench import build_bench_data
from tracker.demo.bench_plan import WHOLE_PLAN_NAME
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.reports.document import Para, Snapshot, Table
from tracker.reports.render_docx import render_docx
from tracker.reports.render_pdf import render_pdf
from tracker.reports.service import draft_snapshot
from tracker.reports.snapshot import OFF_TRACK_LIMIT
from tracker.settings import settings

_QUOTED = re.compile(r"“[^”]*”")
# Sentence ends: a full stop, question mark or semicolon-free end, then a space and a capital.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“])")
_DATE = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|"
                   r"October|November|December) \d{4}\b")
_REF = re.compile(r"\b\d+\.\d+\b")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
# Visit days as people write them ("30 and 31 October and 1 and 2 November 2022").
_DAYS = re.compile(rf"\b\d{{1,2}}(?:(?:,| and) \d{{1,2}})* (?:{_MONTHS})\b")
# Numbers that are names, not counts: a paper's version, a section, a figure.
_NAMES = re.compile(r"\b(version|section|Figure) \d+")


def _generated_paragraphs(snapshot: Snapshot) -> list[str]:
    texts = []
    for section in snapshot.sections + snapshot.appendices:
        for block in section.blocks:
            # The tracker's own paragraphs; labelled ones hold what people typed.
            if isinstance(block, Para) and not block.label:
                texts.append(_QUOTED.sub("“…”", block.text))
    return texts


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def writing_problems(snapshot: Snapshot) -> list[str]:
    """Each break of the writing rules in the paper's own paragraphs, with its sentence."""
    paragraphs = _generated_paragraphs(snapshot)
    assert paragraphs
    problems = []
    for text in paragraphs:
        if "Worked out by the rule" in text or "The first step that applies" in text:
            problems.append(f"internal label or pasted rule: {text}")
        # A graded inspection's judgement is never followed by words that deny it.
        if "do not grade" in text or "Graded inspections" in text:
            problems.append(f"says something about grading the data may contradict: {text}")
        for sentence in _sentences(text):
            if len(sentence.split()) > 40:
                problems.append(f"over 40 words: {sentence}")
            if re.match(r"\d", sentence):
                problems.append(f"starts with a figure: {sentence}")
            # Dates, paragraph numbers and figures' names are not counts.
            bare = _NAMES.sub("", _REF.sub("", _DATE.sub("", _DAYS.sub("", sentence))))
            for small in re.findall(r"(?<![\d,.:£/-])\b[1-9]\b(?![\d,.:%/-])", bare):
                problems.append(f"count under ten in figures ({small}): {sentence}")
            if re.search(r"\b\d{4,}\b", _DATE.sub("", sentence)):
                problems.append(f"number without thousands separator: {sentence}")
    return problems


def test_the_demo_papers_own_words_follow_the_writing_rules(app):
    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    committee = db.session.scalars(select(Committee).order_by(Committee.id)).first()
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(),
                              rules=settings().status_rules)
    problems = writing_problems(snapshot)
    assert not problems, "\n".join(problems)


def bench_paper() -> Snapshot:
    """The paper of bench data's board that follows every inspection (scale 1: 200 items and
    2,000 actions, a real history and one issued paper before)."""
    rules = settings().status_rules
    summary = build_bench_data(1, council_name=None, today=clock.today(), now=clock.now(),
                               rules=rules, password="a password for the bench")
    db.session.commit()
    board = db.session.scalar(select(Committee).where(
        Committee.council_id == summary.council_id, Committee.name == WHOLE_PLAN_NAME))
    return draft_snapshot(board, today=clock.today(), now=clock.now(), rules=rules)


def test_the_200_item_paper_follows_the_writing_rules_within_its_pages(app, tmp_path):
    snapshot = bench_paper()
    problems = writing_problems(snapshot)
    assert not problems, "\n".join(problems)
    # Its body within eight pages, in the PDF and in the Word file as LibreOffice lays it out,
    # and the whole PDF within 40.
    pages = pdf_pages(render_pdf(snapshot))
    assert body_pages(pages) <= BODY_PAGES
    assert len(pages) <= ALL_PAGES
    assert body_pages(lay_out(render_docx(snapshot), tmp_path).page_texts()) <= BODY_PAGES
    # Thousands separators where the plan is large, and the off-track items beyond the body's
    # limit counted and pointed to appendix A.
    texts = " ".join(_generated_paragraphs(snapshot))
    assert "2,000 actions" in texts
    off_track = next(b for b in snapshot.sections[2].blocks
                     if isinstance(b, Table)
                     and b.caption == "Items off track: why, and what is being done")
    assert len(off_track.rows) == OFF_TRACK_LIMIT
    assert re.search(rf"It lists the {OFF_TRACK_LIMIT} most serious; appendix A has the other "
                     rf"\d+ items\.", texts)
