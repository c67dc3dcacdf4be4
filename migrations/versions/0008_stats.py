"""stats: monthly rollups of open data, indexes for a month's records and their letters

Revision ID: 0008_stats
Revises: 0007_merge_domains
Create Date: 2026-11-23 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008_stats"
down_revision = "0007_merge_domains"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stats_months",
        sa.Column("dataset", sa.String(length=20), nullable=False),
        sa.Column("city_code", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "city_code", "month", name=op.f("pk_stats_months")),
    )
    op.create_table(
        "stats_watermarks",
        sa.Column("dataset", sa.String(length=20), nullable=False),
        sa.Column("city_code", sa.String(length=40), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("dataset", "city_code", name=op.f("pk_stats_watermarks")),
    )
    with op.batch_alter_table("letter_requests", schema=None) as batch_op:
        batch_op.create_index("ix_letter_requests_created", ["created_at"], unique=False)
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.create_index("ix_letters_request_issued", ["request_id", "issued_at"], unique=False)
    with op.batch_alter_table("parking_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_parking_sessions_started_on", ["started_on"], unique=False)


def downgrade():
    with op.batch_alter_table("parking_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_parking_sessions_started_on")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_index("ix_letters_request_issued")
    with op.batch_alter_table("letter_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_requests_created")
    op.drop_table("stats_watermarks")
    op.drop_table("stats_months")
