"""word template: a council's own Word template for its progress reports

One row per council at most: the file as uploaded (.docx or .dotx), its size and SHA-256, which
of its styles each part of the paper uses, who uploaded it and when. Without a row the paper
is built on the tracker's standard template.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-14

Downgrading drops the table: councils' papers go back to the standard template.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('word_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('styles', sa.JSON(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_word_template_council_id_council')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_word_template_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_word_template')),
    sa.UniqueConstraint('council_id', name=op.f('uq_word_template_council_id'))
    )


def downgrade():
    op.drop_table('word_template')
