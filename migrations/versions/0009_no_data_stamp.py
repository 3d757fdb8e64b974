"""no data stamp: the page cache it served is gone, so every page is worked out afresh

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('data_stamp')


def downgrade():
    table = op.create_table(
        'data_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_stamp')),
    )
    op.bulk_insert(table, [{'id': 1, 'stamp': secrets.token_hex(16)}])
