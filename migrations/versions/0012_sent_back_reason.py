"""an item keeps why and when it was last sent back at sign-off

The status of an item sent back at sign-off shows the reason it was sent back, in every list;
reading it from the history for every row would cost a query, so the item keeps it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-14

Data: every open item that was sent back at sign-off takes the reason and moment of its last
refusal from its history (items are open again only through a refusal, so for an open item
the last one is the one that counts). `rag_override` never held "complete" (the service
refused it): the RAG losing that value changes nothing stored.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Each open item that was sent back takes the text and moment of its last refusal.
SENT_BACK = """
UPDATE item SET
  sent_back_reason = (
    SELECT refusal.text FROM "update" AS refusal
    WHERE refusal.item_id = item.id AND refusal.action_id IS NULL
      AND refusal.kind = 'sign-off refused'
    ORDER BY refusal.created_at DESC, refusal.id DESC LIMIT 1),
  sent_back_at = (
    SELECT refusal.created_at FROM "update" AS refusal
    WHERE refusal.item_id = item.id AND refusal.action_id IS NULL
      AND refusal.kind = 'sign-off refused'
    ORDER BY refusal.created_at DESC, refusal.id DESC LIMIT 1)
WHERE item.status = 'open' AND EXISTS (
  SELECT 1 FROM "update" AS refusal
  WHERE refusal.item_id = item.id AND refusal.action_id IS NULL
    AND refusal.kind = 'sign-off refused')
"""


def upgrade():
    # Plain ALTER TABLE on both databases: SQLite's batch mode would rebuild the table, which
    # its foreign keys refuse once other tables refer to items.
    op.add_column('item', sa.Column('sent_back_reason', sa.Text(), server_default='',
                                    nullable=False))
    op.add_column('item', sa.Column('sent_back_at', tracker.db.UTCDateTime(timezone=True),
                                    nullable=True))
    # The history table as this revision's parent left it.
    if sa.inspect(op.get_bind()).has_table('update'):
        op.execute(SENT_BACK)


def downgrade():
    op.drop_column('item', 'sent_back_at')
    op.drop_column('item', 'sent_back_reason')
