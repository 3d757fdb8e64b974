"""Links sent to an action's owner at a partner agency (police, health) to post an update."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.items.models import Action


class PartnerLink(db.Model):
    """A signed link for one action, valid until `expires_at` unless revoked first.

    The link carries the row's id and a random secret, signed with the app's secret key;
    only a SHA-256 of the secret is stored. Every update posted through it is recorded in
    the history with `HistoryEntry.partner_link_id` set, which marks it as a partner update.
    """

    __tablename__ = "partner_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    # The partner it was sent to: the action's owner when the link was made.
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    uses: Mapped[int] = mapped_column(default=0)

    action: Mapped[Action] = relationship()
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def usable_at(self, now: datetime) -> bool:
        """Whether the link still works at `now`: not revoked and not expired."""
        return self.revoked_at is None and now < self.expires_at
