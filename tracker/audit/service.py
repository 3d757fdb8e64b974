"""Writing the history. Every change is recorded in the same transaction as the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, select

from tracker.audit.models import Update, UpdateKind
from tracker.extensions import db
from tracker.pagination import Page, fetch_page

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.items.models import Action, Item
    from tracker.partners.models import PartnerLink


def record_update(
    *,
    item: Item,
    author: User | None,
    now: datetime,
    kind: UpdateKind,
    action: Action | None = None,
    field: str = "",
    old_value: str = "",
    new_value: str = "",
    text: str = "",
    partner_link: PartnerLink | None = None,
) -> Update:
    """Append one history entry and mark the item (and action) as updated at `now`.

    `partner_link` is the link a partner posted the change through, which marks it as a
    partner update."""
    update = Update(
        item=item,
        action=action,
        author=author,
        created_at=now,
        kind=kind,
        field=field,
        old_value=old_value,
        new_value=new_value,
        text=text,
        partner_link_id=partner_link.id if partner_link is not None else None,
    )
    db.session.add(update)
    # Never move backwards: an entry recorded late must not make a record look stale.
    item.last_updated_at = max(item.last_updated_at or now, now)
    if action is not None:
        action.last_updated_at = max(action.last_updated_at or now, now)
    return update


def _item_history(item: Item) -> Select[tuple[Update]]:
    return (select(Update).where(Update.item_id == item.id)
            .order_by(Update.created_at.desc(), Update.id.desc()))


def history_of_item(item: Item) -> list[Update]:
    """The item's whole history, its actions' included, newest first."""
    return list(db.session.scalars(_item_history(item)))


def history_page_of_item(item: Item, page: int) -> Page[Update]:
    """One page of the item's history, its actions' included, newest first (50 entries a page:
    a busy item gathers hundreds over the years)."""
    return fetch_page(_item_history(item), page=page)


def history_of_action(action: Action) -> list[Update]:
    """One action's history, newest first."""
    return list(
        db.session.scalars(
            select(Update)
            .where(Update.action_id == action.id)
            .order_by(Update.created_at.desc(), Update.id.desc())
        )
    )


def last_update_of_action(action: Action) -> Update | None:
    """The latest history entry of an action: who changed it last, and when."""
    return db.session.scalars(
        select(Update)
        .where(Update.action_id == action.id)
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(1)
    ).first()
