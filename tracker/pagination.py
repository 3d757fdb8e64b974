"""Long lists a page at a time: the rows of the page asked for, and how many there are in all.

A page past the end shows the last page; anything that is not a page number shows the first.
Templates draw the links with the `pagination` macro in templates/pagination.html.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from tracker.extensions import db

T = TypeVar("T")

PER_PAGE = 50


@dataclass
class Page(Generic[T]):
    """One page of a longer list."""

    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def first_number(self) -> int:
        """The place in the whole list of the page's first row (1-based; 0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill: always at least one, so an empty list has a page."""
    return max(1, math.ceil(total / per_page))


def page_number(value: Any) -> int:
    """The page asked for in a request's `page` argument; 1 when missing or not a number."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return 1
    return max(1, int(text))


def page_links(page: int, pages: int) -> list[int | None]:
    """The page numbers the links between pages show: the first and the last, the pages either
    side of `page`, and None for a gap ("…") between them."""
    shown: list[int | None] = []
    last = 0
    for number in sorted({1, pages, *range(max(1, page - 1), min(pages, page + 1) + 1)}):
        if number - last > 1:
            shown.append(None)
        shown.append(number)
        last = number
    return shown


def clamp(page: int, total: int, per_page: int) -> int:
    """A page that exists: past the end means the last page."""
    return min(max(1, page), page_count(total, per_page))


def fetch_page(query: Select[Any], *, page: int, per_page: int = PER_PAGE,
               options: Sequence[Any] = ()) -> Page[Any]:
    """Count the rows `query` selects, then load one page of them (two statements).

    `query` must be ordered, so pages neither overlap nor skip rows; loader `options` apply to
    the page only, not to the count."""
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = clamp(page, total, per_page)
    rows = list(db.session.scalars(
        query.options(*options).limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(rows=rows, total=total, page=page, per_page=per_page)
