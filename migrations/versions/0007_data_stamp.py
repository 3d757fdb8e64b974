"""data stamp: a value that changes with every committed change, for kept pages

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_stamp')),
    )
    # tracker/kept_pages.py only ever updates this one row.
    op.bulk_insert(table, [{'id': 1, 'stamp': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('data_stamp')
