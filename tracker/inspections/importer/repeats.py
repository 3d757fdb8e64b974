"""Repeat findings: those the document says were raised at the previous inspection.

A finding is a repeat when one of its own sentences says so ("This was an area for
development at the last inspection."), or when a sentence elsewhere in the document says
so about it ("… remains an area for development.", "… despite this being a recommendation
from the last inspection."): that sentence is matched to the finding it shares the most
distinctive words with. The evidence is the sentence, verbatim. A point raised at an
interim focused visit is not the previous inspection, and is not counted.
"""

from __future__ import annotations

import math
import re

from tracker.inspections.importer.details import sentences
from tracker.inspections.importer.lists import ListItem

_REPEATABLE = ("areas_for_development", "priority_actions", "areas_for_improvement")
_RAISED_BEFORE_RE = re.compile(
    r"\b(?:was|were|is|are|being|been|remains?)\b[^.;]{0,80}?"
    r"\b(?:areas?|recommendations?|priority actions?|weakness(?:es)?|concerns?)\b[^.;]{0,80}?"
    r"\b(?:at|in|from|during|following|since)\s+the\s+(?:last|previous|prior|most recent)"
    r"\s+(?:full\s+)?inspection\b",
    re.IGNORECASE,
)
_STILL_OPEN_RE = re.compile(
    r"\bremains?\s+(?:an?\s+)?areas?\s+for\s+(?:development|improvement|priority action)",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[a-z]+")
_MAX_SENTENCES = 50
# Words that say nothing about which finding a sentence is about.
_STOPWORDS = frozenset(
    [
        "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
        "been", "being", "both", "but", "by", "can", "for", "from", "has", "have", "however",
        "in", "inspection", "is", "it", "its", "last", "not", "of", "on", "one", "or",
        "previous", "remain", "remains", "that", "the", "their", "there", "these", "this",
        "those", "to", "was", "were", "which", "while", "with", "within", "area", "areas",
        "development", "improvement", "priority", "action", "recommendation", "raised",
        "identified", "further", "work", "children", "child", "young", "people",
    ]
)  # fmt: skip


def mark_repeats(items: list[ListItem], flat: str, listed: str) -> dict[int, str]:
    """The evidence sentence for each repeat finding, by its index in `items`.

    `flat` is the whole document's text; `listed` the text of its findings, whose own
    sentences are not looked for again elsewhere."""
    evidence: dict[int, str] = {}
    for index, item in enumerate(items):
        if item.category not in _REPEATABLE:
            continue
        for sentence in sentences(item.text):
            if _RAISED_BEFORE_RE.search(sentence):
                evidence[index] = sentence.strip()
                break
    candidates = [i for i, item in enumerate(items) if item.category in _REPEATABLE]
    if not candidates:
        return evidence
    texts = [items[i].text for i in candidates]
    weights = _weights(texts)
    finding_words = [_words(text) for text in texts]
    looked_at = 0
    for sentence in sentences(flat):
        sentence = sentence.strip()
        lower = sentence.lower()
        raised = "inspection" in lower and _RAISED_BEFORE_RE.search(sentence)
        if not (raised or ("remain" in lower and _STILL_OPEN_RE.search(sentence))):
            continue
        if sentence in listed:
            continue  # a finding's own sentence, already looked at
        looked_at += 1
        if looked_at > _MAX_SENTENCES:
            break  # a real document has a handful; this bounds the time on any text
        best = _best_match(sentence, finding_words, weights)
        if best is not None and candidates[best] not in evidence:
            evidence[candidates[best]] = sentence
    return evidence


def _words(text: str) -> set[str]:
    return {
        word.rstrip("s") if len(word) > 4 else word
        for word in _WORD_RE.findall(text.lower())
        if word not in _STOPWORDS and len(word) > 2
    }


def _weights(texts: list[str]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for text in texts:
        for word in _words(text):
            counts[word] = counts.get(word, 0) + 1
    return {word: math.log(1 + len(texts) / n) for word, n in counts.items()}


def _best_match(
    sentence: str, finding_words: list[set[str]], weights: dict[str, float]
) -> int | None:
    words = _words(sentence)
    scores = [sum(weights.get(w, 0.0) for w in words & other) for other in finding_words]
    best = max(range(len(scores)), key=lambda i: scores[i])
    ranked = sorted(scores, reverse=True)
    # A clear winner only: a sentence that sums up several findings names none of them.
    if ranked[0] <= 0 or (len(ranked) > 1 and ranked[1] > 0.75 * ranked[0]):
        return None
    return best
