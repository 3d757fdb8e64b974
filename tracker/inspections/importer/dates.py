"""Dates as documents write them: "16 November 2011", "Dec 2011", "Jan. 2012", "from 9th
January", and visit spans: "18 and 19 August 2009", "15-19 July 2013", "11 April 2016 to 5
May 2016", "between 6 and 8 October 2020"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Month names, full or short (with an optional full stop), the first letter in either
# case; "May" and "Mar" only capitalised, since "may" and "mar" are ordinary words.
MONTH = (
    r"(?:(?i:january|february|april|june|july|august|september|october|november|december)"
    r"|March|May"
    r"|(?:[Jj]an|[Ff]eb|Mar|[Aa]pr|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ept?|[Oo]ct|[Nn]ov|[Dd]ec)(?![a-z])\.?)"
)
DAY = r"(?<!\d)[0-3]?\d(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|–|—|to|until)\s*"

_FULL = re.compile(rf"(?<![\d£$])({DAY})\s+({MONTH}),?\s+({YEAR})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({MONTH})\s+({DAY}),?\s+({YEAR})\b")
_DAY_MONTH = re.compile(rf"(?<![\d£$])({DAY})\s+({MONTH})(?![\w])")
_MONTH_YEAR = re.compile(rf"\b({MONTH})\s+({YEAR})\b")
_NUMERIC = re.compile(r"\b([0-3]?\d)/([01]?\d)/((?:19|20)?\d\d)\b")

_SPAN_FULL = re.compile(rf"({DAY})\s+({MONTH})\s+({YEAR}){_DASH}({DAY})\s+({MONTH})\s+({YEAR})")
_SPAN_MONTHS = re.compile(
    rf"(between\s+)?({DAY})\s+({MONTH})(\s*(?:-|–|—|to|until|and)\s*)({DAY})\s+({MONTH})\s+({YEAR})"
)
_SPAN_DAYS = re.compile(
    rf"(between\s+)?({DAY})(\s*(?:-|–|—|to|until|and)\s*)({DAY})\s+({MONTH})\s+({YEAR})"
)
_SINGLE = re.compile(rf"({DAY})\s+({MONTH})\s+({YEAR})")
_MAX_SPAN_DAYS = 92


@dataclass(frozen=True)
class LooseDate:
    """A date found in text: the words as written and what they say."""

    text: str
    start: int
    year: int | None
    month: int
    day: int  # 1 when only a month is given

    def resolve(self, context_year: int | None) -> date | None:
        """The date, the year taken from context when the text gives none."""
        year = self.year if self.year is not None else context_year
        if year is None:
            return None
        return _date(year, self.month, self.day)


def month_number(word: str) -> int:
    """1 for "January", "Jan" or "Jan."."""
    return _MONTHS[word.rstrip(".").lower()]


def day_number(word: str) -> int:
    """9 for "9th"."""
    return int(re.match(r"\d+", word).group())  # type: ignore[union-attr]


def find_loose_date(text: str) -> LooseDate | None:
    """The first date in the text, however loosely written, with its exact words."""
    found: list[LooseDate] = []
    for match in _FULL.finditer(text):
        found.append(_loose(match, match.group(3), match.group(2), match.group(1)))
        break
    for match in _MONTH_DAY_YEAR.finditer(text):
        found.append(_loose(match, match.group(3), match.group(1), match.group(2)))
        break
    for match in _DAY_MONTH.finditer(text):
        found.append(_loose(match, None, match.group(2), match.group(1)))
        break
    for match in _MONTH_YEAR.finditer(text):
        found.append(_loose(match, match.group(2), match.group(1), None))
        break
    for match in _NUMERIC.finditer(text):
        year = int(match.group(3))
        year = year + 2000 if year < 100 else year
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.append(LooseDate(match.group(), match.start(), year, month, day))
            break
    found = [f for f in found if 1 <= f.day <= 31]
    if not found:
        return None
    # The earliest in the text; at the same place, the most complete reading.
    return min(found, key=lambda f: (f.start, f.year is None, -len(f.text)))


def parse_loose_date(text: str, *, context_year: int | None) -> date | None:
    """The first date in `text`: "November 2011" is 1 November 2011, "Dec 2011" and "Jan.
    2012" likewise; "from 9th January" takes its year from `context_year` (None without it).
    None when the text holds no date."""
    found = find_loose_date(text)
    return found.resolve(context_year) if found else None


def find_span(text: str) -> list[date]:
    """Every day of the first span of dates in the text ("13 to 24 May 2024", "18 and 19
    August 2009"), or [] when there is none. "and" lists days; "to" or a dash (or "between
    … and …") is a range and gives every calendar day."""
    candidates = []
    for pattern in (_SPAN_FULL, _SPAN_MONTHS, _SPAN_DAYS, _SINGLE):
        match = pattern.search(text)
        if match:
            candidates.append((match.start(), -len(match.group()), pattern, match))
    for _start, _length, pattern, match in sorted(candidates, key=lambda c: (c[0], c[1])):
        days = _span_days(pattern, match)
        if days:
            return days
    return []


def _span_days(pattern: re.Pattern[str], match: re.Match[str]) -> list[date]:
    groups = match.groups()
    if pattern is _SPAN_FULL:
        first = _date(int(groups[2]), month_number(groups[1]), day_number(groups[0]))
        last = _date(int(groups[5]), month_number(groups[4]), day_number(groups[3]))
        return _every_day(first, last)
    if pattern is _SPAN_MONTHS:
        between, day1, month1, joiner, day2, month2, year = groups
        last = _date(int(year), month_number(month2), day_number(day2))
        first = _date(int(year), month_number(month1), day_number(day1))
        if first and last and first > last:
            first = _date(int(year) - 1, month_number(month1), day_number(day1))
        return _joined(first, last, joiner, between)
    if pattern is _SPAN_DAYS:
        between, day1, joiner, day2, month, year = groups
        first = _date(int(year), month_number(month), day_number(day1))
        last = _date(int(year), month_number(month), day_number(day2))
        return _joined(first, last, joiner, between)
    single = _date(int(groups[2]), month_number(groups[1]), day_number(groups[0]))
    return [single] if single else []


def _joined(first: date | None, last: date | None, joiner: str, between: str | None) -> list[date]:
    if first is None or last is None:
        return []
    if joiner.strip() == "and" and not between:
        return sorted({first, last})
    return _every_day(first, last)


def _every_day(first: date | None, last: date | None) -> list[date]:
    if first is None or last is None or last < first:
        return []
    if (last - first).days > _MAX_SPAN_DAYS:
        return [first, last]
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _loose(match: re.Match[str], year: str | None, month: str, day: str | None) -> LooseDate:
    return LooseDate(
        text=match.group().rstrip(",").strip(),
        start=match.start(),
        year=int(year) if year else None,
        month=month_number(month),
        day=day_number(day) if day else 1,
    )


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
