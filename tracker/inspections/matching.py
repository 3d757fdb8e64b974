"""Which finding of the previous inspection a repeat finding repeats: pure text matching.

A letter says a finding "was an area for development at the last inspection" but not which
one, and the inspectorate rewords it ("Case records do not consistently describe children's
ethnicity…" becomes "Case records still do not consistently set out children's ethnicity…").
So findings are compared by their content words, in any order, with `difflib`: the best
candidate is proposed to the person importing the letter, who confirms or changes it.
No Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from difflib import SequenceMatcher

# Below this score no candidate is proposed: the reviewer links the finding by hand, if at all.
MATCH_THRESHOLD = 0.35

# Words that say nothing about what a finding is about, including the sentence that marks a
# finding as a repeat ("This was an area for development at the last inspection"), which
# would otherwise make every repeat look like every other.
_STOP_WORDS_TEXT = """
    a about after all also an and any are as at be been before being both but by can could
    did do does for from had has have how in into is it its may more most much must no not
    of on or other our over own same should so some such than that the their them then there
    these they this those though through to too under until very was were what when where
    which while who will with within would yet
    area areas development developments priority action actions improvement improvements
    inspection inspections previous last raised identified remains remain still
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    # Crude, but enough to pair "records" with "recorded" and "assessments" with "assessment".
    for ending in ("ing", "ed", "es", "s"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def content_words(text: str) -> list[str]:
    """The words of a text that carry its meaning, lower-cased and roughly stemmed."""
    words = _WORD.findall(text.lower().replace("\u2019", "'").replace("'s", ""))
    return [_stem(word) for word in words if word not in STOP_WORDS and len(word) > 1]


def token_set_ratio(first: str, second: str) -> float:
    """How alike two texts are by the set of their content words, whatever the order (0 to 1).

    `difflib` over the two sorted word sets: twice the shared words over the words of both.
    """
    words_a, words_b = sorted(set(content_words(first))), sorted(set(content_words(second)))
    if not words_a or not words_b:
        return 0.0
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def in_order_ratio(first: str, second: str) -> float:
    """How alike two texts are by their content words in order (0 to 1)."""
    words_a, words_b = content_words(first), content_words(second)
    if not words_a or not words_b:
        return 0.0
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def similarity(first: str, second: str) -> float:
    """The match score of two findings: the better of the word-set and in-order comparisons.

    Words, not characters, are compared: character ratios rate any two findings of the same
    letter about 0.4 alike, which would drown the real pairs.
    """
    return max(token_set_ratio(first, second), in_order_ratio(first, second))


def best_previous_match(
    text: str, candidates: Sequence[tuple[int, str]], *, threshold: float = MATCH_THRESHOLD
) -> tuple[int, float] | None:
    """The candidate (id, text) most like `text`, with its score, if it scores above the
    threshold; otherwise None. Ties go to the earlier candidate."""
    best: tuple[int, float] | None = None
    for candidate_id, candidate_text in candidates:
        score = similarity(text, candidate_text)
        if score > threshold and (best is None or score > best[1]):
            best = (candidate_id, score)
    return best


_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}
_PERIOD = re.compile(r"(?:\b([a-z]{3,9})\.?\s+)?\b((?:19|20)\d\d)\b")


def worded_periods(text: str) -> list[tuple[int, int | None]]:
    """The (year, month or None) periods a text names: "August 2010" → [(2010, 8)]."""
    periods = []
    for month_word, year in _PERIOD.findall(text.lower()):
        periods.append((int(year), _MONTHS.get(month_word)))
    return periods


def falls_in_worded_period(text: str, days: Iterable[date]) -> bool:
    """Whether any of the days falls in a period the text names ("August 2010", "2011")."""
    periods = worded_periods(text)
    return any(
        day.year == year and (month is None or day.month == month)
        for day in days
        for year, month in periods
    )
