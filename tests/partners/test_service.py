"""The partner-link rules below the pages: what marks an entry, and races with revocation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.partners.factories import partner_action, send_link
from tracker import clock
from tracker.audit.models import HistoryEntry, HistoryKind
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus
from tracker.partners import service
from tracker.partners.models import PartnerLink


def entries_of(action) -> list[HistoryEntry]:
    return list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.action_id == action.id)
                                   .order_by(HistoryEntry.id)))


def test_only_the_partners_own_entries_are_marked_even_in_the_same_session(app):
    action = partner_action()
    link = service.open_partner_link(send_link(action).token, now=clock.now())

    service.post_partner_update(link, now=clock.now(), expected_version=action.version,
                                status=ActionStatus.IN_PROGRESS, commentary="Started",
                                evidence_link="", daily_posts=10)
    items.update_action(action, actor=action.item.lead_officer, now=clock.now(),
                        expected_version=None, status=ActionStatus.IN_PROGRESS,
                        commentary="Thanks, noted", evidence_link="")
    db.session.commit()

    marked = {entry.text: entry.partner_link_id for entry in entries_of(action)
              if entry.kind in (HistoryKind.STATUS_CHANGE, HistoryKind.COMMENTARY)}
    assert marked == {"Started": link.id, "Thanks, noted": None}


def test_a_revocation_committed_while_a_partner_posts_wins(app):
    action = partner_action()
    sent = send_link(action)
    link = service.open_partner_link(sent.token, now=clock.now())
    # The lead officer revokes the link from another connection after the page was opened.
    with db.engine.connect() as other:
        other.execute(update(PartnerLink).where(PartnerLink.id == sent.link.id)
                      .values(revoked_at=clock.now()))
        other.commit()

    with pytest.raises(service.LinkRefused) as refused:
        service.post_partner_update(link, now=clock.now(), expected_version=action.version,
                                    status=ActionStatus.COMPLETE, commentary="Done",
                                    evidence_link="", daily_posts=10)
    db.session.rollback()

    assert refused.value.status == 410
    assert [entry.partner_link_id for entry in entries_of(action)
            if entry.partner_link_id is not None] == []
    assert db.session.get(PartnerLink, sent.link.id).uses == 0


def test_a_stale_link_object_cannot_post_once_revoked(app):
    action = partner_action()
    sent = send_link(action)
    service.revoke_partner_link(sent.link, actor=action.item.lead_officer, now=clock.now())

    with pytest.raises(service.LinkRefused):
        service.post_partner_update(sent.link, now=clock.now(), expected_version=None,
                                    status=ActionStatus.IN_PROGRESS, commentary="x",
                                    evidence_link="", daily_posts=10)


def test_the_token_carries_the_id_and_secret_but_the_database_only_the_hash(app):
    action = partner_action()
    sent = send_link(action)

    link_id, secret = service._read_token(sent.token, app.secret_key)

    assert link_id == sent.link.id
    assert len(secret) >= 43  # 32 random bytes
    stored = db.session.execute(select(PartnerLink.__table__)).mappings().one()
    assert secret not in {str(value) for value in stored.values()}
    assert stored["secret_sha256"] == service.fingerprint(secret)
