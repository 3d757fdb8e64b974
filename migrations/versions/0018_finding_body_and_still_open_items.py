"""a finding keeps whom it is addressed to; an inspection keeps its note and the earlier
items it found still open

Single inspection framework reports also reviewed the Local Safeguarding Children Board: each
finding now says whether it is the local authority's or the LSCB's. A letter that sets no new
findings and points back to an earlier inspection's keeps that sentence as its note, and the
earlier inspection's open items it found still open are linked to it (`still_open_item`).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

Data: every finding already imported is the local authority's (the importer did not tell the
two apart before); every inspection's note is empty.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases: SQLite's batch mode would rebuild the tables, which
    # the foreign keys of other tables refuse.
    op.add_column('finding', sa.Column('body', sa.Enum('local authority', 'lscb',
                                                       name='findingbody', native_enum=False,
                                                       create_constraint=False, length=25),
                                       server_default='local authority', nullable=False))
    op.add_column('inspection', sa.Column('note', sa.Text(), server_default='', nullable=False))
    op.create_table('still_open_item',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_still_open_item_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_still_open_item_item_id_item')),
    sa.PrimaryKeyConstraint('inspection_id', 'item_id', name=op.f('pk_still_open_item'))
    )
    with op.batch_alter_table('still_open_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_still_open_item_item_id'), ['item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('still_open_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_still_open_item_item_id'))
    op.drop_table('still_open_item')
    op.drop_column('inspection', 'note')
    op.drop_column('finding', 'body')
