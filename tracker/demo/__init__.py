"""The demo council, Northshire: `load_demo_data` (in `data`) and the `demo-data` command.

What a load returns is defined here, so the command and the loader share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class DemoAccount(NamedTuple):
    """One account's sign-in details, as printed for whoever set up the demo."""

    role: str
    name: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoCredentials:
    """The demo accounts, and a one-line summary of what was loaded."""

    accounts: list[DemoAccount]
    summary: str = ""
