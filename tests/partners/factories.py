"""Actions owned by a partner, and links sent for them, through the service as the app does."""

from __future__ import annotations

from datetime import date

from tests.factories import ActionFactory, CouncilFactory, ItemFactory, PartnerFactory, UserFactory
from tracker import clock
from tracker.extensions import db
from tracker.items.models import Action
from tracker.partners import service
from tracker.partners.service import SentLink


def partner_action(council=None, **fields) -> Action:
    """An action of an item led by a manager, owned by a police officer."""
    council = council or CouncilFactory(name="Northshire County Council")
    lead = UserFactory(council=council, name="Lee Lead", email="lee.lead@northshire.example",
                       job_title="Head of Safeguarding")
    partner = PartnerFactory(council=council, name="DI Jo Partner", email="jo@police.example")
    item = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                       title="Multi-agency strategy discussions")
    defaults = {"item": item, "owner": partner, "due_date": date(2026, 12, 1),
                "description": "Police to attend every strategy discussion in person"}
    return ActionFactory(**{**defaults, **fields})


def send_link(action: Action, *, actor=None, days: int = 14) -> SentLink:
    """A link sent by the item's lead officer (or `actor`), committed."""
    sent = service.send_partner_link(action, actor=actor or action.item.lead_officer,
                                     now=clock.now(), days=days)
    db.session.commit()
    return sent


def matrix_link(world) -> SentLink:
    """For the access matrix: a working link for the world's action, which a partner owns
    (the link's routes sit under its action's address)."""
    # One link per world: `link_id` and `link_token` name the same link (a second would
    # replace the first).
    if getattr(world, "partner_link", None) is None:
        if not world.action.owner.is_partner:
            world.action.owner = PartnerFactory(council=world.council)
        world.partner_link = send_link(world.action, actor=world.item.lead_officer)
    return world.partner_link
