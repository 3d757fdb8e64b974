"""items are indexed by theme; an item's history by kind

The items list's theme filter offers the themes in use. Without an index the database read
every item of the council for its theme on every request (0.75 ms of SQLite's time, 1 ms of
PostgreSQL's, at ten times a large county); along an index of themes it reads one item of
each theme, checking its council, and skips to the next theme (0.02 ms; 0.3 ms).

An item's page lists the links kept as its evidence: entries of the history of one kind. By
item and time the database read all of a busy item's entries (510) to find them (0.34 ms of
PostgreSQL's time on every request); by item, kind and time it reads those alone.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08

Data: none changes; only the indexes.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_item_theme', 'item', ['theme'])
    op.create_index('ix_history_entry_item_id_kind_created_at', 'history_entry',
                    ['item_id', 'kind', 'created_at'])


def downgrade():
    op.drop_index('ix_history_entry_item_id_kind_created_at', table_name='history_entry')
    op.drop_index('ix_item_theme', table_name='item')
