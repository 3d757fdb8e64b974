"""Properties of `parse_text` over generated text (hypothesis).

1. It never raises, on any text at all, and on text built from the pieces documents are
   made of: finding headings, bullets of every kind, paragraph numbers, table pipes, HTML
   list fragments, group labels, dates and closing formulas.

2. It never returns text that is not in the input. Precisely: write squash(s) for the
   letters and digits of s, in order (everything else, whitespace, punctuation, bullet
   glyphs and pipes, dropped). For each line of the input (and for each `|` cell of a
   table line), remove the HTML tags the importer documents as markup (`<ul>`, `<li>`,
   `<sup>`, `<u>`, … as `TAG` below), then squash; join the lines. Then squash(text) of
   every finding, of every repeat's evidence and of every action is a substring of that.
   So a finding may drop markers and join the pieces of one item (across a page break, a
   table's end or a sub-list), but cannot invent, reorder or leave out words within it.

3. A document built from a finding heading and bullets gives back exactly those bullets,
   in order, in the heading's list.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.inspections.importer import FINDING_LISTS, parse_text

# The markup tags the importer removes (see tracker/inspections/importer/text.py).
TAG = re.compile(
    r"<(/?)(?:(ul|ol|li|p|br|div|table|tr|td|th)|sup|sub|u|b|i|em|strong|span|a)\b[^<>]*>",
    re.IGNORECASE,
)
HEADINGS = {
    "Strengths": "strengths",
    "The service meets the requirements of statutory guidance in the following areas": (
        "meets_requirements"
    ),
    "Areas for development": "areas_for_development",
    "Area(s) for priority action": "priority_actions",
    "Areas for priority action": "priority_actions",
    "What needs to improve?": "areas_for_improvement",
    "What needs to improve in this area of social work practice": "areas_for_improvement",
    "Areas for improvement": "areas_for_improvement",
    "Recommendations": "areas_for_improvement",
}
PIECES = [
    *HEADINGS,
    "## What needs to improve",
    "#### 4. Areas for Development",
    "- 3.3 The inspectors recognised the following strength:",
    "The following areas were delivered satisfactorily in accordance with national guidance:",
    "Here is a summary of the things that **needed improving**:",
    "Immediately:",
    "Within three months:",
    "Action taken:",
    "Contact Officer: Meg Boustead Head of Safeguarding Telephone number: 0191 561 2356",
    "There are no priority actions following this focused visit.",
    "Yours sincerely",
    "Dear Mr Smith",
    "This was an area for development at the last inspection.",
    "Inspection dates: 13 to 24 May 2024",
    "conducted on 18 and 19 August 2009.",
    "Overall effectiveness Inadequate",
    "| Strengths |",
    "|--|",
    '<ul style="list-style-type: none"> ▪ ',
    "9<sup>th</sup> January",
    "",
    "  ",
]
MARKERS = [
    "- ",
    "• ",
    "▪ ",
    "◼ ",
    "\uf0a7 ",
    "\uf06e ",
    "* ",
    "7. ",
    "114. ",
    "5.2 ",
    "| ",
    "## ",
    "",
]

lines = st.one_of(
    st.sampled_from(PIECES),
    st.builds(lambda marker, text: marker + text, st.sampled_from(MARKERS), st.text(max_size=80)),
    st.text(max_size=40),
)
documents = st.lists(lines, max_size=40).map("\n".join)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def squash(text: str) -> str:
    return "".join(char for char in text if char.isalnum())


def squashed_input(text: str) -> str:
    """The input's letters and digits once its markup tags are removed: line by line, and
    cell by cell for a table row (a line that starts with `|`, after any `## ` mark)."""
    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = re.sub(r"^#{1,6}\s+", "", line.strip())
        cells = line.split("|") if line.startswith("|") else [line]
        out += [squash(TAG.sub("", cell)) for cell in cells]
    return "".join(out)


def assert_nothing_invented(text: str) -> None:
    extraction = parse_text(text)
    source = squashed_input(text)
    for finding in extraction.findings:
        assert squash(finding.text) in source
        assert squash(finding.repeat_evidence) in source
        assert finding.category in FINDING_LISTS
    for action in extraction.actions:
        assert squash(action.text) in source
        assert squash(action.area_heading) in source


@FAST
@given(st.text())
def test_parse_text_never_raises_on_any_text(text: str):
    extraction = parse_text(text)

    assert isinstance(extraction.to_json(), dict)


@FAST
@given(documents)
def test_parse_text_never_raises_on_text_made_of_headings_bullets_and_markup(text: str):
    extraction = parse_text(text)

    assert isinstance(extraction.to_json(), dict)


@FAST
@given(st.text())
def test_no_finding_is_invented_from_arbitrary_text(text: str):
    assert_nothing_invented(text)


@FAST
@given(documents)
def test_no_finding_is_invented_from_text_made_of_headings_bullets_and_markup(text: str):
    assert_nothing_invented(text)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
sentences = st.builds(
    lambda first, rest: first.capitalize() + " " + " ".join(rest) + ".",
    words,
    st.lists(words, min_size=1, max_size=15),
)


@FAST
@given(
    st.sampled_from(sorted(HEADINGS)),
    st.lists(sentences, min_size=1, max_size=8),
    st.sampled_from(["- ", "• ", "▪ ", "\uf0a7 "]),
)
def test_the_bullets_under_a_finding_heading_are_its_findings(
    heading: str, items: list[str], bullet: str
):
    text = "Dear Ms Smith\n\n" + heading + "\n\n" + "\n".join(bullet + i for i in items)
    text += "\n\nYours sincerely\n"

    extraction = parse_text(text)

    assert [f.text for f in extraction.in_list(HEADINGS[heading])] == items
    assert len(extraction.findings) == len(items)
