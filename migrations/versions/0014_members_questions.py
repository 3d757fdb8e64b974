"""members' questions: asked at a committee meeting, answered by an officer

A member's question at a meeting (table `member_question`): the meeting, the item it is about
if any, the words, who asked (a name as typed, and their account if they have one), the
officer assigned to report back and since when, the answer with who wrote it and when, the
last correction of it, who recorded it, and the last change. Nothing existing changes.

Revision ID: 0014
Revises: 0013 (re-chain on merging if another revision comes first)
Create Date: 2026-12-07

Downgrading drops the table and every question in it.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asked_by_name', sa.String(length=120), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.Column('corrected_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_member_question_answered_by_id_user')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user.id'], name=op.f('fk_member_question_asked_by_id_user')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_member_question_changed_by_id_user')),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['user.id'], name=op.f('fk_member_question_corrected_by_id_user')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_member_question_item_id_item')),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meeting.id'], name=op.f('fk_member_question_meeting_id_committee_meeting')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_member_question_officer_id_user')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_member_question_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_question'))
    )
    with op.batch_alter_table('member_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_question_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_question_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_question_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_question_officer_id'), ['officer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('member_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_question_officer_id'))
        batch_op.drop_index(batch_op.f('ix_member_question_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_member_question_item_id'))
        batch_op.drop_index(batch_op.f('ix_member_question_answered_at'))

    op.drop_table('member_question')
