"""letter requests: the lists' indexes lead with who sees them and end with the id, newest first

A resident's list (and a kelurahan's) is WHERE resident_id = ? ORDER BY id DESC LIMIT ?: with (resident_id, id)
one index range gives the page in order, whatever plan a prepared statement's generic plan picks; with
resident_id alone PostgreSQL could walk the primary key backwards past every other resident's requests.

Revision ID: 0010_request_list_indexes
Revises: 0009_idempotency_resource
Create Date: 2026-12-08 02:00:00

"""
from alembic import op

revision = "0010_request_list_indexes"
down_revision = "0009_idempotency_resource"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_letter_requests_resident_newest", "letter_requests", ["resident_id", "id"])
    op.create_index("ix_letter_requests_service_newest", "letter_requests", ["service_kelurahan_code", "id"])
    op.drop_index("ix_letter_requests_resident_id", table_name="letter_requests")


def downgrade():
    op.create_index("ix_letter_requests_resident_id", "letter_requests", ["resident_id"])
    op.drop_index("ix_letter_requests_service_newest", table_name="letter_requests")
    op.drop_index("ix_letter_requests_resident_newest", table_name="letter_requests")
