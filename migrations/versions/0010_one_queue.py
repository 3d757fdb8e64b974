"""one queue, with leases: deliveries and job locks take the shape of report runs and packs

The four queue tables share state, lease_until, attempts and last_error.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Data: a delivery's status becomes its state (pending: queued, not tried again before the end
of the lease it had; sent: done; failed with a next try: queued until then; failed with none:
failed), `next_attempt_at` becomes `lease_until`. A report run's or an evidence pack's
`message` becomes `last_error`, and a run left running gets a lease that has already run out.
A job lock's outcome gives its state ("Failed: …" a failed run, with the reason as its last
error); `locked_until` becomes `lease_until`, emptied: upgrade with the scheduler stopped.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

RUN_STATE = sa.Enum('queued', 'running', 'done', 'failed', name='runstate', native_enum=False,
                    length=17)
DELIVERY_STATUS = sa.Enum('pending', 'sent', 'failed', name='deliverystatus', native_enum=False,
                          length=17)


def _lease_until():
    return sa.Column('lease_until', tracker.db.UTCDateTime(timezone=True), nullable=True)


def upgrade():
    # --- the delivery log
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', RUN_STATE, nullable=True))
        batch_op.add_column(_lease_until())
    op.execute(
        "UPDATE delivery SET lease_until = next_attempt_at, state = CASE "
        "WHEN status = 'sent' THEN 'done' "
        "WHEN status = 'failed' AND next_attempt_at IS NULL THEN 'failed' "
        "ELSE 'queued' END")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=RUN_STATE, nullable=False)
        batch_op.drop_index('ix_delivery_status')
        batch_op.drop_index('ix_delivery_next_attempt_at')
        batch_op.drop_column('status')
        batch_op.drop_column('next_attempt_at')
        batch_op.create_index(batch_op.f('ix_delivery_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_lease_until'), ['lease_until'],
                              unique=False)

    # --- report runs and evidence packs
    for table in ('report_run', 'evidence_pack'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('message', new_column_name='last_error',
                                  existing_type=sa.Text(), existing_nullable=False)
            batch_op.add_column(_lease_until())
            batch_op.create_index(batch_op.f(f'ix_{table}_lease_until'), ['lease_until'],
                                  unique=False)
        # Left running by a scheduler that stopped: taken over at once.
        op.execute(f"UPDATE {table} SET lease_until = started_at "  # noqa: S608 - our names
                   "WHERE state = 'running'")

    # --- job locks
    with op.batch_alter_table('job_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', RUN_STATE, nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.alter_column('locked_until', new_column_name='lease_until',
                              existing_type=sa.DateTime(timezone=True), existing_nullable=True)
    op.execute(
        "UPDATE job_lock SET attempts = 0, lease_until = NULL, state = CASE "
        "WHEN last_outcome LIKE 'Failed: %' THEN 'failed' "
        "WHEN last_finished_at IS NOT NULL THEN 'done' ELSE 'queued' END, "
        "last_error = CASE WHEN last_outcome LIKE 'Failed: %' THEN substr(last_outcome, 9) "
        "ELSE '' END")
    op.execute("UPDATE job_lock SET last_outcome = '' WHERE state = 'failed'")
    with op.batch_alter_table('job_lock', schema=None) as batch_op:
        batch_op.alter_column('state', existing_type=RUN_STATE, nullable=False)
        batch_op.alter_column('attempts', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('last_error', existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f('ix_job_lock_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_lock_lease_until'), ['lease_until'],
                              unique=False)


def downgrade():
    # --- job locks
    op.execute("UPDATE job_lock SET last_outcome = 'Failed: ' || last_error "
               "WHERE state = 'failed'")
    op.execute("UPDATE job_lock SET lease_until = NULL WHERE state <> 'running'")
    with op.batch_alter_table('job_lock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_lock_lease_until'))
        batch_op.drop_index(batch_op.f('ix_job_lock_state'))
        batch_op.alter_column('lease_until', new_column_name='locked_until',
                              existing_type=sa.DateTime(timezone=True), existing_nullable=True)
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('state')

    # --- report runs and evidence packs
    for table in ('report_run', 'evidence_pack'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_lease_until'))
            batch_op.drop_column('lease_until')
            batch_op.alter_column('last_error', new_column_name='message',
                                  existing_type=sa.Text(), existing_nullable=False)

    # --- the delivery log
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', DELIVERY_STATUS, nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', tracker.db.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute(
        "UPDATE delivery SET status = CASE "
        "WHEN state = 'done' THEN 'sent' "
        "WHEN state = 'failed' OR last_error <> '' THEN 'failed' ELSE 'pending' END, "
        "next_attempt_at = CASE WHEN state IN ('queued', 'running') "
        "THEN COALESCE(lease_until, created_at) END")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=DELIVERY_STATUS, nullable=False)
        batch_op.drop_index(batch_op.f('ix_delivery_lease_until'))
        batch_op.drop_index(batch_op.f('ix_delivery_state'))
        batch_op.drop_column('lease_until')
        batch_op.drop_column('state')
        batch_op.create_index(batch_op.f('ix_delivery_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_next_attempt_at'), ['next_attempt_at'],
                              unique=False)
