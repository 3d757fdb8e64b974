"""the history is indexed by item and time

An item's page shows its history newest first, fifty entries a page. With an index of the
history by item alone, the database read every entry of the item (hundreds, for a busy one)
and sorted them on every request; by item and time, it reads the page's fifty in order. The
new index starts with the item, so it serves every search by item the old one did, which it
replaces.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

Data: none changes; only the index.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_history_entry_item_id_created_at', 'history_entry',
                    ['item_id', 'created_at'])
    op.drop_index('ix_history_entry_item_id', table_name='history_entry')


def downgrade():
    op.create_index('ix_history_entry_item_id', 'history_entry', ['item_id'])
    op.drop_index('ix_history_entry_item_id_created_at', table_name='history_entry')
