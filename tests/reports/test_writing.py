"""The words the tracker writes in the demo paper follow the council's writing rules: counts
under ten in words, no sentence starting with a figure, long dates, no internal labels or
pasted rule text, no generated sentence over 40 words. Quoted findings and commentary stay as
written, so only the tracker's own paragraphs are checked."""

from __future__ import annotations

import re

from sqlalchemy import select

from tracker import clock
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.reports.document import Para
from tracker.reports.service import draft_snapshot
from tracker.settings import settings

_QUOTED = re.compile(r"“[^”]*”")
# Sentence ends: a full stop, question mark or semicolon-free end, then a space and a capital.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“])")
_DATE = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|"
                   r"October|November|December) \d{4}\b")
_REF = re.compile(r"\b\d+\.\d+\b")


def _generated_paragraphs() -> list[str]:
    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    committee = db.session.scalars(select(Committee).order_by(Committee.id)).first()
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(),
                              rules=settings().status_rules)
    texts = []
    for section in snapshot.sections + snapshot.appendices:
        for block in section.blocks:
            # The tracker's own paragraphs; labelled ones hold what people typed.
            if isinstance(block, Para) and not block.label:
                texts.append(_QUOTED.sub("“…”", block.text))
    return texts


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def test_the_demo_papers_own_words_follow_the_writing_rules(app):
    paragraphs = _generated_paragraphs()
    assert paragraphs
    problems = []
    for text in paragraphs:
        if "Worked out by the rule" in text or "The first step that applies" in text:
            problems.append(f"internal label or pasted rule: {text}")
        for sentence in _sentences(text):
            if len(sentence.split()) > 40:
                problems.append(f"over 40 words: {sentence}")
            if re.match(r"\d", sentence):
                problems.append(f"starts with a figure: {sentence}")
            # Dates, paragraph numbers and figures' names are not counts.
            bare = re.sub(r"Figure \d", "", _REF.sub("", _DATE.sub("", sentence)))
            for small in re.findall(r"(?<![\d,.:£/-])\b[1-9]\b(?![\d,.:%/-])", bare):
                problems.append(f"count under ten in figures ({small}): {sentence}")
            if re.search(r"\b\d{4,}\b", _DATE.sub("", sentence)):
                problems.append(f"number without thousands separator: {sentence}")
    assert not problems, "\n".join(problems)
