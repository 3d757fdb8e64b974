"""an issued report keeps the full action plan as its Excel background paper

Issuing a report now freezes the action plan of the committee's inspections (the action
plan's Excel download) beside the paper's HTML, PDF and Word files, with its SHA-256. Reports
issued before have none: both columns are empty for them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xlsx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('xlsx_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.drop_column('xlsx_sha256')
        batch_op.drop_column('xlsx')
