"""idempotency: the record a keyed request created, so a retry after a crash can rebuild the lost answer

Revision ID: 0009_idempotency_resource
Revises: 0008_stats
Create Date: 2026-11-24 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0009_idempotency_resource"
down_revision = "0008_stats"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resource_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("resource_id")
