"""history as typed events: `update` becomes `history_entry`, its values typed JSON, append-only
in the database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14

Data: every row of `update` is copied, with its id, into `history_entry`, its words read once
and turned into values (tracker.audit.values):
- the field: "" becomes none; "status" stays "status" for an action and becomes "item status"
  for an item (marked complete, signed off, sent back); an action's "created" entry, which
  held its due date with no field, gets the field "due date";
- statuses ("In progress"), priorities ("High"), RAGs ("Red"; "Worked out by the rule" is no
  value) become their enum values ("in progress", "high", "red", null);
- dates as the history wrote them ("9 January 2027") become ISO dates ("2027-01-09");
- people (a lead officer's or owner's name) become `{"user_id": 5}` where the name is exactly
  one person's of the item's council; otherwise the name is kept as written, marked as a
  name, `{"name": "Sam Smith"}`, and shown as it was. The upgrade prints how many;
- text (a title, an evidence link) stays text; an empty value is none, except for text;
- a value written as a value already (an ISO date, an enum's value: the entries about
  requests to move or cancel an action, made by issue 15's other changes) is taken as it is.

Every value is read before anything is written: one that cannot be read stops the upgrade
with nothing changed, naming the row (every value was written by the tracker in these forms,
so none is expected). Then `update`
is dropped, and triggers refuse any UPDATE or DELETE of a history entry, on SQLite and on
PostgreSQL (TRUNCATE and DROP TABLE fire no row triggers, so a restore still works).

The downgrade writes the words back, as the tracker wrote them at revision 0012.
"""
import re
import time
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BATCH = 5000

KINDS = ('created', 'edited', 'status change', 'commentary', 'evidence',
         'due date change requested', 'due date change', 'due date change refused',
         'due date change withdrawn', 'cancellation requested', 'cancellation refused',
         'cancellation withdrawn', 'RAG override', 'marked complete', 'sign-off', 'sign-off refused', 'partner link sent',
         'partner link revoked')
FIELDS = ('title', 'theme', 'priority', 'target date', 'measure of success', 'lead officer',
          'item status', 'RAG', 'description', 'owner', 'status', 'due date', 'evidence link')
TEXT_FIELDS = {'title', 'theme', 'measure of success', 'description', 'evidence link'}
DATE_FIELDS = {'target date', 'due date'}
PERSON_FIELDS = {'lead officer', 'owner'}
# The labels of revision 0010 (an enum's value, first letter capitalised) and their values.
LABELS = {
    'status': {'Not started': 'not started', 'In progress': 'in progress',
               'Complete': 'complete', 'Cancelled': 'cancelled'},
    'item status': {'Open': 'open', 'Awaiting sign-off': 'awaiting sign-off',
                    'Complete': 'complete'},
    'priority': {'High': 'high', 'Medium': 'medium', 'Low': 'low'},
    'RAG': {'Red': 'red', 'Amber': 'amber', 'Green': 'green', 'Complete': 'complete',
            'Worked out by the rule': None},
}
MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
          'September', 'October', 'November', 'December')
LONG_DATE = re.compile(r'(\d{1,2}) (' + '|'.join(MONTHS) + r') (\d{4})')
# Entries about requests to move or cancel an action (issue 15's other migrations) were
# written as values already: ISO dates and enum values. They are taken as they are.
ISO_DATE = re.compile(r'(\d{4})-(\d{2})-(\d{2})')

OLD_COLUMNS = ('id', 'item_id', 'action_id', 'author_id', 'created_at', 'kind', 'field',
               'old_value', 'new_value', 'text', 'partner_link_id')


class UnreadableHistory(Exception):
    """A value in `update` is not in any form the tracker wrote: the upgrade stops."""


def _table(name, json_values):
    value_type = sa.JSON(none_as_null=True) if json_values else sa.Text()
    columns = [sa.column(column) for column in OLD_COLUMNS if column not in
               ('old_value', 'new_value')]
    columns += [sa.column('old_value', value_type), sa.column('new_value', value_type)]
    return sa.table(name, *columns)


def _create_history_entry():
    op.create_table(
        'history_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='historykind', native_enum=False, length=35),
                  nullable=False),
        sa.Column('field', sa.Enum(*FIELDS, name='historyfield', native_enum=False, length=28),
                  nullable=True),
        sa.Column('old_value', sa.JSON(), nullable=True),
        sa.Column('new_value', sa.JSON(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('partner_link_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'],
                                name=op.f('fk_history_entry_action_id_action')),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_history_entry_author_id_user')),
        sa.ForeignKeyConstraint(['item_id'], ['item.id'],
                                name=op.f('fk_history_entry_item_id_item')),
        sa.ForeignKeyConstraint(['partner_link_id'], ['partner_link.id'],
                                name=op.f('fk_history_entry_partner_link_id_partner_link')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_history_entry')),
    )


def _index_history_entry():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_entry_action_id'), ['action_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_history_entry_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_history_entry_item_id'), ['item_id'],
                              unique=False)


def _create_update():
    """`update` as revision 0010 had it."""
    op.create_table(
        'update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='updatekind', native_enum=False, length=35),
                  nullable=False),
        sa.Column('field', sa.String(length=60), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=False),
        sa.Column('new_value', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('partner_link_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'],
                                name=op.f('fk_update_action_id_action')),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_update_author_id_user')),
        sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_update_item_id_item')),
        sa.ForeignKeyConstraint(['partner_link_id'], ['partner_link.id'],
                                name=op.f('fk_update_partner_link_id_partner_link')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_update')),
    )
    with op.batch_alter_table('update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_item_id'), ['item_id'], unique=False)


def _rows(connection, table, columns=None):
    """Every row of `table` (the `columns` selected, all by default), in id order, a batch at
    a time (by id, so nothing is held open while the batch is written)."""
    last = None
    while True:
        query = (columns if columns is not None else sa.select(table)) \
            .order_by(table.c.id).limit(BATCH)
        if last is not None:
            query = query.where(table.c.id > last)
        batch = connection.execute(query).mappings().all()
        if not batch:
            return
        yield batch
        last = batch[-1]['id']


def _councils_of_items(connection):
    return dict(connection.execute(sa.text(
        'SELECT item.id, inspection.council_id FROM item '
        'JOIN finding ON finding.id = item.finding_id '
        'JOIN inspection ON inspection.id = finding.inspection_id')).all())


def _move_sequence(connection, table):
    if connection.dialect.name == 'postgresql':
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), max(id)) "  # noqa: S608
            f'FROM "{table}" HAVING max(id) IS NOT NULL'))


# --- upgrade ----------------------------------------------------------------------------------


class _Reader:
    """Reads the words of `update` once, into values."""

    def __init__(self, connection):
        self.council_of_item = _councils_of_items(connection)
        people = defaultdict(list)
        for user_id, council_id, name in connection.execute(
                sa.text('SELECT id, council_id, name FROM "user"')):
            people[council_id, name].append(user_id)
        self.people = people
        self.names_kept = 0

    def value(self, row, field, words):
        where = f"update {row['id']}, {field} {words!r}"
        if field in TEXT_FIELDS:
            return words
        if words == '':
            return None
        if field in DATE_FIELDS:
            match = LONG_DATE.fullmatch(words.strip())
            if match is not None:
                day, month, year = match.groups()
                return f"{int(year):04d}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"
            if ISO_DATE.fullmatch(words.strip()):
                try:
                    return date.fromisoformat(words.strip()).isoformat()
                except ValueError:
                    pass
            raise UnreadableHistory(f"{where}: not a date as the tracker wrote them")
        if field in PERSON_FIELDS:
            matches = self.people.get((self.council_of_item.get(row['item_id']), words), [])
            if len(matches) == 1:
                return {'user_id': matches[0]}
            self.names_kept += 1
            return {'name': words}
        labels = LABELS[field]
        if words in labels:
            return labels[words]
        if words in labels.values():
            return words  # a value already
        raise UnreadableHistory(f"{where}: not a label the tracker used")

    def entry(self, row):
        field = row['field'] or ''
        old, new = row['old_value'] or '', row['new_value'] or ''
        if row['kind'] == 'created' and row['action_id'] is not None and not field and new:
            # An action's creation held its due date, with no field.
            field = 'due date'
        elif field == 'status' and row['action_id'] is None:
            field = 'item status'
        if not field:
            if old or new:
                raise UnreadableHistory(f"update {row['id']}: values {old!r}, {new!r} of no "
                                        f"field")
            values = (None, None)
        elif field not in FIELDS:
            raise UnreadableHistory(f"update {row['id']}: no such field as {field!r}")
        else:
            values = (self.value(row, field, old), self.value(row, field, new))
        return {**row, 'field': field or None, 'old_value': values[0], 'new_value': values[1]}


def upgrade():
    started = time.perf_counter()
    connection = op.get_bind()
    reader = _Reader(connection)
    source, target = _table('update', json_values=False), _table('history_entry', True)
    # Every value is read once before anything is written, so a value that cannot be read
    # stops the upgrade with nothing changed, on SQLite too (where a new table is not undone).
    words_only = sa.select(*(source.c[name] for name in OLD_COLUMNS if name != 'text'))
    for batch in _rows(connection, source, words_only):
        for row in batch:
            reader.entry(row)
    reader.names_kept = 0
    _create_history_entry()
    converted = 0
    for batch in _rows(connection, source):
        connection.execute(sa.insert(target), [reader.entry(row) for row in batch])
        converted += len(batch)
    _move_sequence(connection, 'history_entry')
    # Indexed once filled: quicker than keeping the indexes up to date row by row.
    _index_history_entry()

    with op.batch_alter_table('update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_item_id'))
        batch_op.drop_index(batch_op.f('ix_update_created_at'))
        batch_op.drop_index(batch_op.f('ix_update_action_id'))
    op.drop_table('update')

    # Append-only in the database: no UPDATE or DELETE of an entry, by anyone.
    if connection.dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION history_entry_is_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'history entries are never changed or removed (% refused)', TG_OP "
            "USING ERRCODE = 'integrity_constraint_violation'; "
            "END $$")
        op.execute(
            "CREATE TRIGGER history_entry_append_only BEFORE UPDATE OR DELETE ON history_entry "
            "FOR EACH ROW EXECUTE FUNCTION history_entry_is_append_only()")
    else:
        op.execute(
            "CREATE TRIGGER history_entry_no_update BEFORE UPDATE ON history_entry "
            "BEGIN SELECT RAISE(ABORT, 'history entries are never changed or removed "
            "(UPDATE refused)'); END")
        op.execute(
            "CREATE TRIGGER history_entry_no_delete BEFORE DELETE ON history_entry "
            "BEGIN SELECT RAISE(ABORT, 'history entries are never changed or removed "
            "(DELETE refused)'); END")

    print(f"0013: {converted:,} history entries converted to typed values in "
          f"{time.perf_counter() - started:.1f} s; {reader.names_kept:,} names of people "
          f"matched no one person of their council and are kept as written.")


# --- downgrade --------------------------------------------------------------------------------


def _words(field, value, names):
    if field in TEXT_FIELDS:
        return value or ''
    if value is None:
        return 'Worked out by the rule' if field == 'RAG' else ''
    if field in DATE_FIELDS:
        year, month, day = (int(part) for part in value.split('-'))
        return f"{day} {MONTHS[month - 1]} {year}"
    if field in PERSON_FIELDS:
        return names.get(value['user_id'], '') if 'user_id' in value else value['name']
    return {v: label for label, v in LABELS[field].items()}[value]


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute("DROP TRIGGER history_entry_append_only ON history_entry")
        op.execute("DROP FUNCTION history_entry_is_append_only()")
    else:
        op.execute("DROP TRIGGER history_entry_no_update")
        op.execute("DROP TRIGGER history_entry_no_delete")
    _create_update()
    names = dict(connection.execute(sa.text('SELECT id, name FROM "user"')).all())
    source, target = _table('history_entry', json_values=True), _table('update', False)
    for batch in _rows(connection, source):
        rows = []
        for row in batch:
            field = row['field'] or ''
            old = _words(field, row['old_value'], names) if field else ''
            new = _words(field, row['new_value'], names) if field else ''
            if row['kind'] == 'created' and field == 'due date':
                field = ''
            rows.append({**row, 'field': 'status' if field == 'item status' else field,
                         'old_value': old, 'new_value': new})
        connection.execute(sa.insert(target), rows)
    _move_sequence(connection, 'update')
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_entry_item_id'))
        batch_op.drop_index(batch_op.f('ix_history_entry_created_at'))
        batch_op.drop_index(batch_op.f('ix_history_entry_action_id'))
    op.drop_table('history_entry')

