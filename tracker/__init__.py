"""The tracker: an improvement-action tracker for a council's children's services."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the web application (`tracker.app.build_app`). Never runs migrations and never
    starts the scheduler. Flask is imported only here, so importing a part of the tracker
    without the app stays cheap."""
    from tracker.app import build_app

    return build_app(overrides)
