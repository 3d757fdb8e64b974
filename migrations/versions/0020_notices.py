"""notices: who is to be told of which change, in their next daily email and on their dashboard

Table `notice`: one row per person to be told of one change (a history entry): a request or an
item marked complete now waits for their decision, a decision was made on what they asked,
or they were given an action. `delivery_id` is the daily email that told them, empty until
then. The delivery log's `holds_partner_links` marks a message with partner links in it, whose
stored copy is blanked once it has gone (as partner-link emails were before).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

Downgrading drops the notices; messages with partner links that are still waiting keep them.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

KIND = sa.Enum('date change asked', 'cancellation asked', 'sign-off asked',
               'date change approved', 'date change refused', 'cancellation approved',
               'cancellation refused', 'signed off', 'sent back', 'action owned',
               name='noticekind', native_enum=False, length=31)


def upgrade():
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', KIND, nullable=False),
    sa.Column('history_entry_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_notice_delivery_id_delivery')),
    sa.ForeignKeyConstraint(['history_entry_id'], ['history_entry.id'], name=op.f('fk_notice_history_entry_id_history_entry')),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('fk_notice_recipient_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('recipient_id', 'history_entry_id', name='uq_notice_recipient_history_entry')
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_recipient_id'), ['recipient_id'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holds_partner_links', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    delivery = sa.table('delivery', sa.column('kind', sa.String),
                        sa.column('holds_partner_links', sa.Boolean))
    op.execute(delivery.update().where(delivery.c.kind == 'partner link')
               .values(holds_partner_links=sa.true()))


def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('holds_partner_links')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_notice_delivery_id'))
        batch_op.drop_index(batch_op.f('ix_notice_created_at'))
    op.drop_table('notice')
