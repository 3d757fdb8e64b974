"""Which blocks open a list of findings, and which list.

Two kinds of block open a list:

- a heading that is nothing but a category's name, whatever its markup or numbering:
  "Area(s) for priority action", "4. Areas for Development", "What needs to improve?",
  "The service meets the requirements of statutory guidance in the following areas";
- a sentence that introduces a list with a colon and names exactly one category: "… were
  delivered satisfactorily in accordance with national guidance, in particular:", "… the
  things we found at the inspection that needed improving …:".

The same words inside an ordinary sentence ("… some areas for development.") open nothing.
"""

from __future__ import annotations

import re

from tracker.inspections.importer.text import Block

STRENGTHS = "strengths"
MEETS = "meets_requirements"
DEVELOPMENT = "areas_for_development"
PRIORITY = "priority_actions"
IMPROVEMENT = "areas_for_improvement"

# A heading that is only the category's name (after markup, numbering and a closing ":" or
# "?" are removed), matched case-insensitively against the whole heading.
# Who a finding is addressed to, as SIF reports name them in their headings: "the local
# authority", "the LSCB", "the Local Safeguarding Children Board", "the Board".
_BODY = (
    r"(?:the\s+)?(?:local\s+authority|council|lscb|board|safeguarding\s+partners"
    r"|local\s+safeguarding\s+children\s+board)"
)
_HEADINGS = [
    (PRIORITY, r"(?:the )?areas?\s*(?:\(s\))?\s+for\s+priority\s+actions?"),
    # SIF reports of 2014-15: "Priority and immediate action".
    (PRIORITY, r"(?:areas?\s+for\s+)?priority\s+and\s+immediate\s+actions?"),
    (IMPROVEMENT, r"what needs to improve(?:\s[^.:;]{0,80})?"),
    # "What does the local authority need to improve?", "What does the LSCB need to improve?"
    (IMPROVEMENT, rf"what\s+does\s+{_BODY}\s+need\s+to\s+improve"),
    # "The local authority's strengths", "The LSCB's strengths", "The Local Authority has the
    # following strengths".
    (STRENGTHS, rf"{_BODY}(?:'s|\s+has\s+the\s+following)\s+(?:key\s+)?strengths"),
    (IMPROVEMENT, r"(?:key )?areas?\s*(?:\(s\))?\s+for\s+improvement"),
    (IMPROVEMENT, r"recommendations?"),
    (STRENGTHS, r"(?:key |areas of )?strengths?"),
    (DEVELOPMENT, r"(?:key )?areas?\s*(?:\(s\))?\s+for\s+(?:further\s+)?development"),
    (
        MEETS,
        r"(?:the\s+)?service\s+meets\s+the\s+requirements\s+of\s+statutory\s+guidance"
        r"(?:\s+in\s+the\s+following\s+areas?)?",
    ),
]
_HEADING_RES = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _HEADINGS]

# Words that tie a list-introducing sentence to one category.
_INTRO = [
    (
        MEETS,
        r"delivered satisfactorily in accordance with national guidance"
        r"|\bme(?:e)?ts? (?:the )?requirements of statutory guidance",
    ),
    (STRENGTHS, r"\bstrengths?\b|\badequate or good\b|\bgood or better\b"),
    (
        IMPROVEMENT,
        r"\bneeded improving\b|\bneeds? improving\b|\bneeds? to improve\b"
        r"|\bareas? for improvement\b|\brecommendations?\b",
    ),
    (PRIORITY, r"\bpriority actions?\b"),
    (DEVELOPMENT, r"\bareas? for development\b"),
]
_INTRO_RES = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _INTRO]
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")
_MAX_HEADING_WORDS = 20
_MAX_INTRO_WORDS = 60


def category_of(block: Block) -> str | None:
    """The finding list a block opens, or None when it opens none."""
    if block.kind == "bullet":
        return None
    text = block.text.replace("’", "'").strip()
    words = len(text.split())
    if words <= _MAX_HEADING_WORDS:
        bare = text.rstrip(" :?").strip()
        for name, pattern in _HEADING_RES:
            if pattern.fullmatch(bare):
                return name
    if text.endswith(":"):
        # Only the sentence that ends with the colon introduces the list.
        last = _SENTENCE_END_RE.split(text)[-1]
        if len(last.split()) > _MAX_INTRO_WORDS:
            return None
        found = {name for name, pattern in _INTRO_RES if pattern.search(last)}
        if len(found) == 1:
            return found.pop()
    return None
