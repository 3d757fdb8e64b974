"""data protection: retention periods, the record of removals and anonymisations, and the one
way past the history's guard

- `council.retention_years` (7 for every council) and `inspection.retention_years` (empty:
  the council's period): how long an inspection is kept after its plan is closed.
- `user.anonymised_at`: when an administrator anonymised the person.
- `erasure_record`: what was removed or anonymised, when, by whom and by which rule.
- `history_release`: the items whose history the removal under way may delete. The history's
  triggers (migration 0013) are made again: UPDATE is refused as before, DELETE is refused
  unless the entry's item has a row in `history_release`, which only the transaction that
  removes an inspection at the end of its retention period writes (and deletes again).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

Downgrading drops the new tables and columns (and the record of removals with them) and
puts back 0013's triggers.
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

REFUSED = "history entries are never changed or removed"


def _drop_guard(dialect):
    if dialect == 'postgresql':
        op.execute("DROP TRIGGER history_entry_append_only ON history_entry")
        op.execute("DROP FUNCTION history_entry_is_append_only()")
    else:
        op.execute("DROP TRIGGER history_entry_no_update")
        op.execute("DROP TRIGGER history_entry_no_delete")


def _make_guard(dialect, *, with_release):
    if dialect == 'postgresql':
        release = ("IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM history_release "
                   "WHERE history_release.item_id = OLD.item_id) THEN RETURN OLD; END IF; "
                   if with_release else "")
        op.execute(
            "CREATE FUNCTION history_entry_is_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN " + release +
            f"RAISE EXCEPTION '{REFUSED} (% refused)', TG_OP "
            "USING ERRCODE = 'integrity_constraint_violation'; "
            "END $$")
        op.execute(
            "CREATE TRIGGER history_entry_append_only BEFORE UPDATE OR DELETE ON history_entry "
            "FOR EACH ROW EXECUTE FUNCTION history_entry_is_append_only()")
    else:
        op.execute(
            "CREATE TRIGGER history_entry_no_update BEFORE UPDATE ON history_entry "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSED} (UPDATE refused)'); END")
        when = ("WHEN NOT EXISTS (SELECT 1 FROM history_release "
                "WHERE history_release.item_id = OLD.item_id) " if with_release else "")
        op.execute(
            "CREATE TRIGGER history_entry_no_delete BEFORE DELETE ON history_entry " + when +
            f"BEGIN SELECT RAISE(ABORT, '{REFUSED} (DELETE refused)'); END")


def upgrade():
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), server_default='7',
                                      nullable=False))
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', tracker.db.UTCDateTime(timezone=True),
                                      nullable=True))
    op.create_table(
        'erasure_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('inspection removed', 'person anonymised',
                                  name='erasurekind', native_enum=False, length=28),
                  nullable=False),
        sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('subject_title', sa.String(length=500), nullable=False),
        sa.Column('letter_date', sa.Date(), nullable=True),
        sa.Column('plan_closed_on', sa.Date(), nullable=True),
        sa.Column('retention_years', sa.Integer(), nullable=True),
        sa.Column('basis', sa.Enum('council', 'inspection', name='retentionbasis',
                                   native_enum=False, length=20), nullable=True),
        sa.Column('notice_sent_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('removed', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['user.id'],
                                name=op.f('fk_erasure_record_by_id_user')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'],
                                name=op.f('fk_erasure_record_council_id_council')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_record')),
    )
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_record_council_id'), ['council_id'],
                              unique=False)
    op.create_table(
        'history_release',
        sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('erasure_record_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['erasure_record_id'], ['erasure_record.id'],
                                name=op.f('fk_history_release_erasure_record_id_erasure_record')),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_history_release')),
    )
    dialect = op.get_bind().dialect.name
    _drop_guard(dialect)
    _make_guard(dialect, with_release=True)


def downgrade():
    dialect = op.get_bind().dialect.name
    _drop_guard(dialect)
    _make_guard(dialect, with_release=False)
    op.drop_table('history_release')
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_record_council_id'))
    op.drop_table('erasure_record')
    # SQLite (3.35 and later) drops a column in place: rebuilding `user`, which other
    # tables refer to, would fail their foreign keys.
    op.drop_column('user', 'anonymised_at')
    op.drop_column('inspection', 'retention_years')
    op.drop_column('council', 'retention_years')
