"""an item keeps the facts of its actions that its status needs

How many of its actions are open, complete and cancelled, the earliest due dates of its
open and of its not-started actions, and how many had their due date moved: lists, counts and
filters read them from the item instead of aggregating every action on every request. An
index of actions by status and due date finds the overdue ones. They do not depend on the date, so the status
worked out from them (`tracker.items.status.status_in_sql`) is right on any day; the tracker
keeps them right whenever an action changes (`tracker.items.facts`).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

Data: every item's facts are counted from its actions (one UPDATE). Nothing is lost going
down: the columns only repeat what the actions say.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# The same counting as tracker.items.facts.facts_from_actions_in_sql, frozen as it is today.
BACKFILL = """
UPDATE item SET
  open_actions = (SELECT count(*) FROM action
                  WHERE action.item_id = item.id AND action.status IN ('not started', 'in progress')),
  complete_actions = (SELECT count(*) FROM action
                      WHERE action.item_id = item.id AND action.status = 'complete'),
  cancelled_actions = (SELECT count(*) FROM action
                       WHERE action.item_id = item.id AND action.status = 'cancelled'),
  earliest_open_due = (SELECT min(action.due_date) FROM action
                       WHERE action.item_id = item.id AND action.status IN ('not started', 'in progress')),
  earliest_not_started_due = (SELECT min(action.due_date) FROM action
                              WHERE action.item_id = item.id
                                AND action.status = 'not started'),
  moved_actions = (SELECT count(*) FROM action
                   WHERE action.item_id = item.id
                     AND action.due_date != action.original_due_date)
"""


def upgrade():
    # Plain ALTER TABLE on both databases: SQLite's batch mode would rebuild the table, which
    # its foreign keys refuse once other tables refer to items.
    for name in ('open_actions', 'complete_actions', 'cancelled_actions'):
        op.add_column('item', sa.Column(name, sa.Integer(), server_default='0', nullable=False))
    op.add_column('item', sa.Column('earliest_open_due', sa.Date(), nullable=True))
    op.add_column('item', sa.Column('earliest_not_started_due', sa.Date(), nullable=True))
    op.add_column('item', sa.Column('moved_actions', sa.Integer(), server_default='0',
                                    nullable=False))
    op.execute(BACKFILL)
    op.create_index('ix_action_status_due_date', 'action', ['status', 'due_date'])


def downgrade():
    op.drop_index('ix_action_status_due_date', table_name='action')
    for name in ('moved_actions', 'earliest_not_started_due', 'earliest_open_due',
                 'cancelled_actions', 'complete_actions', 'open_actions'):
        op.drop_column('item', name)
