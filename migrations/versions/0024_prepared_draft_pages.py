"""a large committee's draft page is prepared by the scheduler, with the data stamp it was
worked out from

A report run of kind 'page' keeps the draft page's HTML of a committee following more items
than DRAFT_PAGE_LIVE_ITEMS; `data_stamp` says what data it was worked out from, so the page
can tell, cheaply, whether anything has changed since (tracker/reports/prepared.py). A partial
unique index lets at most one such preparation wait per committee.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

Data: none is written. Going down drops the page runs (their HTML is worked out again on
demand) before dropping the column.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

WAITING = "kind = 'page' AND state = 'queued'"


def upgrade():
    # Plain ALTER TABLE on both databases (a nullable column): no table rebuild.
    op.add_column('report_run', sa.Column('data_stamp', sa.String(length=64), nullable=True))
    op.create_index('ix_report_run_one_page_waiting', 'report_run', ['committee_id'],
                    unique=True, sqlite_where=sa.text(WAITING),
                    postgresql_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_report_run_one_page_waiting', table_name='report_run')
    op.execute("DELETE FROM report_run WHERE kind = 'page'")
    with op.batch_alter_table('report_run') as batch_op:
        batch_op.drop_column('data_stamp')
