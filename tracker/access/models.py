"""Personal tokens that stand in for signing in, for one purpose each.

Only a SHA-256 of each token is stored: the token itself is shown once, when it is made, and
a stolen copy of the database cannot be used to read anyone's calendar or call the API.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, enum_type, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User


class TokenPurpose(enum.Enum):
    """A calendar token opens the person's calendar feed; an API token reads the JSON API."""

    CALENDAR = "calendar"
    API = "api"

    @property
    def label(self) -> str:
        return {"calendar": "Calendar feed", "api": "API"}[self.value]


class AccessToken(db.Model):
    """One token of one person, until it is revoked (or the person is deactivated)."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    # What the person called it ("Power BI dashboard"); empty for a calendar token.
    name: Mapped[str] = mapped_column(String(100), default="")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, so that people can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Noted at most once an hour (tracker.access.service), not on every use.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
