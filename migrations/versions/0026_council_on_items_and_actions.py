"""an item and an action keep their council

The council of an item's inspection, kept on the item and on each of its actions when they are
made (neither ever changes council), so the dashboard counts the council's items and overdue
actions from an index each, with no chain of joins from action to item, finding and inspection.
An index of items by council and status holds every column the status rule and the dashboard's
counts read; one of actions by council, status and due date holds the overdue ones in order.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08

Data: every item takes its inspection's council, and every action its item's (two UPDATEs).
Nothing is lost going down: the columns only repeat what the inspections say.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

ITEM_COLUMNS = ['council_id', 'status', 'priority', 'lead_officer_id', 'target_date',
                'rag_override', 'earliest_open_due', 'earliest_not_started_due',
                'open_actions', 'complete_actions', 'moved_actions']


def upgrade():
    # Plain ALTER TABLE on both databases, the columns nullable and copies (no foreign key):
    # SQLite adds a foreign key only by rebuilding the table, which the foreign keys of the
    # tables referring to items and actions refuse.
    op.add_column('item', sa.Column('council_id', sa.Integer(), nullable=True))
    op.add_column('action', sa.Column('council_id', sa.Integer(), nullable=True))
    op.execute("UPDATE item SET council_id = (SELECT inspection.council_id FROM finding "
               "JOIN inspection ON inspection.id = finding.inspection_id "
               "WHERE finding.id = item.finding_id)")
    op.execute("UPDATE action SET council_id = (SELECT item.council_id FROM item "
               "WHERE item.id = action.item_id)")
    op.create_index('ix_item_council_status', 'item', ITEM_COLUMNS)
    op.create_index('ix_action_council_status_due_date', 'action',
                    ['council_id', 'status', 'due_date'])


def downgrade():
    op.drop_index('ix_action_council_status_due_date', table_name='action')
    op.drop_index('ix_item_council_status', table_name='item')
    op.drop_column('action', 'council_id')
    op.drop_column('item', 'council_id')
