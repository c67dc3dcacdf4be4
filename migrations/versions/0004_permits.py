"""permits: catalogue, versions, catalogue token

Revision ID: 0004_permits
Revises: 0001_foundation
Create Date: 2026-11-23 00:09:58.919138

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_permits'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('permit_catalog_state',
    sa.Column('city_code', sa.String(length=40), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_code'], ['cities.code'], name=op.f('fk_permit_catalog_state_city_code_cities')),
    sa.PrimaryKeyConstraint('city_code', name=op.f('pk_permit_catalog_state'))
    )
    op.create_table('permits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_code', sa.String(length=40), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('old_names', sa.JSON(), nullable=False),
    sa.Column('sector', sa.String(length=120), nullable=False),
    sa.Column('authority', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=300), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('procedure', sa.JSON(), nullable=False),
    sa.Column('sla_working_days', sa.Integer(), nullable=True),
    sa.Column('fee_amount', sa.BigInteger(), nullable=True),
    sa.Column('fee_note', sa.String(length=500), nullable=False),
    sa.Column('output', sa.String(length=300), nullable=False),
    sa.Column('validity', sa.String(length=300), nullable=False),
    sa.Column('legal_basis', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('edited_by_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['city_code'], ['cities.code'], name=op.f('fk_permits_city_code_cities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permits')),
    sa.UniqueConstraint('city_code', 'slug', name=op.f('uq_permits_city_code_slug'))
    )
    with op.batch_alter_table('permits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permits_city_code'), ['city_code'], unique=False)

    op.create_table('permit_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permit_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_permit_versions_actor_id_users')),
    sa.ForeignKeyConstraint(['permit_id'], ['permits.id'], name=op.f('fk_permit_versions_permit_id_permits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permit_versions')),
    sa.UniqueConstraint('permit_id', 'version', name=op.f('uq_permit_versions_permit_id_version'))
    )
    with op.batch_alter_table('permit_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_permit_versions_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_permit_versions_permit_id'), ['permit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('permit_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permit_versions_permit_id'))
        batch_op.drop_index(batch_op.f('ix_permit_versions_actor_id'))

    op.drop_table('permit_versions')
    with op.batch_alter_table('permits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_permits_city_code'))

    op.drop_table('permits')
    op.drop_table('permit_catalog_state')
