"""sessions ended on the server, and password reset links

A signed-in session is a `user_session` row while it lasts: signing out, a password change or
an administrator ends it, and a copied cookie stops working. `password_reset` holds the
emailed links that let a person choose a new password (single use, one hour). Only SHA-256s
of their secrets are stored.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_user_session_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('secret_sha256', name=op.f('uq_user_session_secret_sha256')),
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table(
        'password_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_sha256', sa.String(length=64), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('ended_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_password_reset_user_id_user')),
        sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'],
                                name=op.f('fk_password_reset_sent_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
        sa.UniqueConstraint('secret_sha256', name=op.f('uq_password_reset_secret_sha256')),
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_user_id'))
    op.drop_table('password_reset')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
