"""access tokens (calendar, API), partner links, action-plan imports and evidence packs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

import tracker.db


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('calendar', 'api', name='tokenpurpose', native_enum=False, length=18), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_access_token_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_access_token_token_sha256'))
    )
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_token_user_id'), ['user_id'], unique=False)

    op.create_table('evidence_pack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='runstate', native_enum=False, length=17), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('items_total', sa.Integer(), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('zip_sha256', sa.String(length=64), nullable=False),
    sa.Column('zip_file', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_evidence_pack_council_id_council')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_evidence_pack_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_evidence_pack_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_pack'))
    )
    with op.batch_alter_table('evidence_pack', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_pack_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_pack_state'), ['state'], unique=False)

    op.create_table('plan_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sheet_name', sa.String(length=100), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_plan_import_council_id_council')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_plan_import_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_plan_import_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_import'))
    )
    with op.batch_alter_table('plan_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_import_council_id'), ['council_id'], unique=False)

    op.create_table('partner_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_partner_link_action_id_action')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_partner_link_created_by_id_user')),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('fk_partner_link_recipient_id_user')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_partner_link_revoked_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_link')),
    sa.UniqueConstraint('secret_sha256', name=op.f('uq_partner_link_secret_sha256'))
    )
    with op.batch_alter_table('partner_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_link_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_link_recipient_id'), ['recipient_id'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.alter_column('kind',
               existing_type=sa.VARCHAR(length=20),
               type_=sa.Enum('digest', 'escalation', 'report', 'partner link', name='deliverykind', native_enum=False, length=22),
               existing_nullable=False)

    with op.batch_alter_table('update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_link_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_update_partner_link_id_partner_link'), 'partner_link', ['partner_link_id'], ['id'])



def downgrade():
    with op.batch_alter_table('update', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_update_partner_link_id_partner_link'), type_='foreignkey')
        batch_op.drop_column('partner_link_id')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.alter_column('kind',
               existing_type=sa.Enum('digest', 'escalation', 'report', 'partner link', name='deliverykind', native_enum=False, length=22),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)

    with op.batch_alter_table('partner_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_link_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_partner_link_action_id'))

    op.drop_table('partner_link')
    with op.batch_alter_table('plan_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_import_council_id'))

    op.drop_table('plan_import')
    with op.batch_alter_table('evidence_pack', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_pack_state'))
        batch_op.drop_index(batch_op.f('ix_evidence_pack_council_id'))

    op.drop_table('evidence_pack')
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_token_user_id'))

    op.drop_table('access_token')
