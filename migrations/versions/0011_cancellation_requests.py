"""requests to cancel an action; a request to the lead officer can be withdrawn

An action's owner who is not the item's lead officer now asks the lead officer to cancel it
(table `cancellation_request`, the same columns as a due-date request but the dates). A
waiting request of either kind can be withdrawn by the person who made it: the state
'withdrawn' is added, so the state column grows by one character.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-14

Downgrading drops the cancellation requests (the history keeps what happened to them), turns a
withdrawn due-date request into a refused one with the note "Withdrawn by the person who asked",
and turns history entries of the four kinds the earlier version does not know into commentary
that names them ("Cancellation requested: ..."), since that version cannot show them otherwise.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STATES = ('pending', 'approved', 'refused', 'withdrawn')
STATE = sa.Enum(*STATES, name='requeststate', native_enum=False, length=19)
OLD_STATE = sa.Enum(*STATES[:3], name='duedatechangestate', native_enum=False, length=18)
# The history kinds this revision adds, with the words the earlier version shows them as.
NEW_KINDS = {
    'due date change withdrawn': 'Due date change withdrawn',
    'cancellation requested': 'Cancellation requested',
    'cancellation refused': 'Cancellation refused',
    'cancellation withdrawn': 'Cancellation withdrawn',
}


def upgrade():
    op.create_table('cancellation_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', STATE, nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_cancellation_request_action_id_action')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_cancellation_request_decided_by_id_user')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_cancellation_request_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cancellation_request'))
    )
    with op.batch_alter_table('cancellation_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cancellation_request_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cancellation_request_state'), ['state'], unique=False)

    with op.batch_alter_table('due_date_change', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=OLD_STATE, type_=STATE,
                              existing_nullable=False)


def downgrade():
    op.execute("UPDATE due_date_change SET state = 'refused', decision_note = "
               "'Withdrawn by the person who asked' WHERE state = 'withdrawn'")
    with op.batch_alter_table('due_date_change', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=STATE, type_=OLD_STATE,
                              existing_nullable=False)
    history = sa.table('update', sa.column('kind', sa.String), sa.column('text', sa.Text))
    for kind, words in NEW_KINDS.items():
        op.execute(history.update().where(history.c.kind == kind).values(
            kind='commentary', text=sa.literal(f'{words}: ') + history.c.text))

    with op.batch_alter_table('cancellation_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cancellation_request_state'))
        batch_op.drop_index(batch_op.f('ix_cancellation_request_action_id'))
    op.drop_table('cancellation_request')
