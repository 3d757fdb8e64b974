"""evidence files; evidence packs stored in pieces

Files attached to items and actions as evidence are kept in `evidence_file` (the bytes, their
SHA-256, name, size, kind, who and when). An evidence pack's zip is no longer one value in one
column: it is written as it is made, in pieces (`evidence_pack_chunk`), and served the same
way, with its size on the pack. Each pack made before is moved into pieces here, one pack at a
time; downgrading puts them back together.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

import tracker.db

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

CHUNK_BYTES = 1024 * 1024

chunk_table = sa.table(
    'evidence_pack_chunk',
    sa.column('pack_id', sa.Integer), sa.column('attempt', sa.Integer),
    sa.column('number', sa.Integer), sa.column('data', sa.LargeBinary),
)


def upgrade():
    op.create_table(
        'evidence_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('file_type', sa.Enum(
            'pdf', 'word', 'word 97-2003', 'excel', 'excel 97-2003', 'powerpoint',
            'powerpoint 97-2003', 'opendocument text', 'opendocument spreadsheet',
            'opendocument presentation', 'png', 'jpeg', 'gif', 'webp', 'text', 'csv',
            name='filetype', native_enum=False, create_constraint=False, length=35),
            nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('partner_link_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'],
                                name=op.f('fk_evidence_file_action_id_action')),
        sa.ForeignKeyConstraint(['added_by_id'], ['user.id'],
                                name=op.f('fk_evidence_file_added_by_id_user')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'],
                                name=op.f('fk_evidence_file_council_id_council')),
        sa.ForeignKeyConstraint(['item_id'], ['item.id'],
                                name=op.f('fk_evidence_file_item_id_item')),
        sa.ForeignKeyConstraint(['partner_link_id'], ['partner_link.id'],
                                name=op.f('fk_evidence_file_partner_link_id_partner_link')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_action_id'), ['action_id'])
        batch_op.create_index(batch_op.f('ix_evidence_file_council_id'), ['council_id'])
        batch_op.create_index(batch_op.f('ix_evidence_file_item_id'), ['item_id'])

    op.create_table(
        'evidence_pack_chunk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pack_id', sa.Integer(), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        # Its foreign key is added once the pack table is rebuilt below (SQLite rebuilds a
        # table to drop a column, which it refuses while another table refers to it).
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_pack_chunk')),
        sa.UniqueConstraint('pack_id', 'attempt', 'number',
                            name='uq_evidence_pack_chunk_pack_id_attempt_number'),
    )
    with op.batch_alter_table('evidence_pack_chunk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_pack_chunk_pack_id'), ['pack_id'])

    with op.batch_alter_table('evidence_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('zip_size', sa.Integer(), server_default='0',
                                      nullable=False))

    connection = op.get_bind()
    moved = 0
    pack_ids = connection.execute(sa.text(
        "SELECT id FROM evidence_pack WHERE zip_file IS NOT NULL ORDER BY id")).scalars().all()
    for pack_id in pack_ids:
        # One pack's zip at a time: a council with many large packs is not read all at once.
        attempt, data = connection.execute(sa.text(
            "SELECT attempts, zip_file FROM evidence_pack WHERE id = :id"), {"id": pack_id}).one()
        data = bytes(data)
        for number, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            connection.execute(chunk_table.insert().values(
                pack_id=pack_id, attempt=attempt, number=number,
                data=data[start:start + CHUNK_BYTES]))
        connection.execute(sa.text("UPDATE evidence_pack SET zip_size = :size WHERE id = :id"),
                           {"size": len(data), "id": pack_id})
        moved += 1
    if moved:
        print(f"0017: moved {moved} evidence pack{'s' if moved != 1 else ''} into pieces")

    with op.batch_alter_table('evidence_pack', schema=None) as batch_op:
        batch_op.drop_column('zip_file')
    with op.batch_alter_table('evidence_pack_chunk', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_evidence_pack_chunk_pack_id_evidence_pack'), 'evidence_pack',
            ['pack_id'], ['id'])


def downgrade():
    with op.batch_alter_table('evidence_pack_chunk', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_evidence_pack_chunk_pack_id_evidence_pack'), type_='foreignkey')
    with op.batch_alter_table('evidence_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('zip_file', sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT p.id, p.attempts FROM evidence_pack p WHERE p.state = 'done' ORDER BY p.id"
    )).all()
    for pack_id, attempt in rows:
        pieces = connection.execute(sa.text(
            "SELECT data FROM evidence_pack_chunk WHERE pack_id = :id AND attempt = :attempt "
            "ORDER BY number"), {"id": pack_id, "attempt": attempt}).scalars().all()
        if pieces:
            connection.execute(
                sa.text("UPDATE evidence_pack SET zip_file = :data WHERE id = :id")
                .bindparams(sa.bindparam('data', type_=sa.LargeBinary)),
                {"data": b"".join(bytes(piece) for piece in pieces), "id": pack_id})

    with op.batch_alter_table('evidence_pack', schema=None) as batch_op:
        batch_op.drop_column('zip_size')
    with op.batch_alter_table('evidence_pack_chunk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_pack_chunk_pack_id'))
    op.drop_table('evidence_pack_chunk')
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_item_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_council_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_action_id'))
    op.drop_table('evidence_file')
