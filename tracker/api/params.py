"""Reading an API request's query parameters strictly, and saying exactly what to fix.

Every list names the parameters it takes (the OpenAPI description names the same ones): an
unknown or repeated parameter, or a value outside what the description allows, is a 400 that
says which and why. A value the description allows is always accepted, so a program written
from the description never meets a 400.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeVar

from werkzeug.datastructures import MultiDict

from tracker.api.problems import BadParameters, InvalidParameter

E = TypeVar("E", bound=enum.Enum)

# The largest id a database integer column holds (the `int` route converter's limit too).
LARGEST_ID = 2**31 - 1
LARGEST_PAGE = LARGEST_ID
PER_PAGE = 50
MOST_PER_PAGE = 100
PAGING = ("page", "per_page")


@dataclass(frozen=True)
class Paging:
    """Which page of a list, and how long a page is."""

    page: int
    per_page: int


class QueryReader:
    """The parameters of one request, read one by one; `finish` raises every problem at once."""

    def __init__(self, args: MultiDict[str, str], accepted: tuple[str, ...]) -> None:
        self.args = args
        self.problems: list[InvalidParameter] = []
        for name in args:
            if name not in accepted:
                takes = ", ".join(accepted) if accepted else "no parameters"
                self.problems.append(InvalidParameter(
                    name, f"This address does not take '{name}'. It takes: {takes}."))
            elif len(args.getlist(name)) > 1:
                self.problems.append(InvalidParameter(name, "Give this parameter once."))

    def _raw(self, name: str) -> str | None:
        values = self.args.getlist(name)
        return values[0] if len(values) == 1 else None

    def _refuse(self, name: str, reason: str) -> None:
        self.problems.append(InvalidParameter(name, reason))

    def whole_number(self, name: str, *, least: int = 1, most: int = LARGEST_ID,
                     default: int | None = None) -> int | None:
        """A whole number from `least` to `most`, written in digits."""
        text = self._raw(name)
        if text is None:
            return default
        reason = f"Give a whole number from {least} to {most}, such as {least}."
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(most)):
            self._refuse(name, reason)
            return default
        number = int(text)
        if not least <= number <= most:
            self._refuse(name, reason)
            return default
        return number

    def choice(self, name: str, choices: type[E]) -> E | None:
        """One of an enum's text values, exactly as written ("in progress")."""
        text = self._raw(name)
        if text is None:
            return None
        try:
            return choices(text)
        except ValueError:
            values = ", ".join(f"'{member.value}'" for member in choices)
            self._refuse(name, f"Give one of {values}.")
            return None

    def flag(self, name: str, *, only_true: bool = False) -> bool | None:
        """'true' or 'false' (or only 'true', where 'false' would mean no filter at all)."""
        text = self._raw(name)
        if text is None:
            return None
        if text == "true":
            return True
        if text == "false" and not only_true:
            return False
        self._refuse(name, "Give 'true', or leave the parameter out." if only_true
                     else "Give 'true' or 'false'.")
        return None

    def text(self, name: str, *, longest: int) -> str | None:
        """Text of up to `longest` characters, matched exactly."""
        text = self._raw(name)
        if text is None:
            return None
        if len(text) > longest:
            self._refuse(name, f"Give at most {longest} characters.")
            return None
        return text

    def paging(self) -> Paging:
        """`page` (1 if not given) and `per_page` (PER_PAGE if not given)."""
        page = self.whole_number("page", most=LARGEST_PAGE, default=1)
        per_page = self.whole_number("per_page", most=MOST_PER_PAGE, default=PER_PAGE)
        return Paging(page=page or 1, per_page=per_page or PER_PAGE)

    def finish(self) -> None:
        """Raise BadParameters naming every parameter to fix, if there is any."""
        if self.problems:
            raise BadParameters(self.problems)
