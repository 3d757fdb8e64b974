"""uploaded files wait in a queue table to be read by the scheduler

An inspection letter, an action plan or a council's Word template uploaded in the app is kept
in `upload_reading` (its bytes until read) and read by the scheduler's "upload-queue" job in
the bounded child process of tracker.untrusted; the web request no longer waits for it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08

Data: none is written. Going down drops the table: files waiting to be read are lost (upload
them again), so go down with the scheduler stopped and nothing waiting.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'upload_reading',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('letter', 'action_plan', 'word_template', name='uploadkind',
                                  native_enum=False, length=23), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('inspection_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('requested_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('result_id', sa.Integer(), nullable=True),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='runstate',
                                   native_enum=False, length=17), nullable=False),
        sa.Column('lease_until', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'],
                                name=op.f('fk_upload_reading_council_id_council')),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'],
                                name=op.f('fk_upload_reading_inspection_id_inspection')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'],
                                name=op.f('fk_upload_reading_uploaded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_reading')),
    )
    with op.batch_alter_table('upload_reading') as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_reading_council_id'), ['council_id'])
        batch_op.create_index(batch_op.f('ix_upload_reading_inspection_id'), ['inspection_id'])
        batch_op.create_index(batch_op.f('ix_upload_reading_state'), ['state'])
        batch_op.create_index(batch_op.f('ix_upload_reading_lease_until'), ['lease_until'])


def downgrade():
    op.drop_table('upload_reading')
