"""Errors the domain layer raises for a view to turn into a message the user can act on."""

from __future__ import annotations

from typing import Any


class RuleBroken(ValueError):
    """A change that the tracker's rules do not allow; `field` names the form field to fix.

    `status` is what a page answers when it shows the refusal: 400, unless a kind of refusal
    says otherwise (a limit reached is 429)."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class EditConflict(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, current: Any, changed_by: str, changed_at: Any) -> None:
        super().__init__(f"changed by {changed_by}")
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
