"""merge the domain branches into one line

Revision ID: 0007_merge_domains
Revises: 0002_notifications, 0003_documents, 0004_permits, 0005_brigade, 0006_parking
Create Date: 2026-11-23 01:00:00

The domains were built side by side from the foundation; from here on, migrations form a single line.
"""

revision = "0007_merge_domains"
down_revision = ("0002_notifications", "0003_documents", "0004_permits", "0005_brigade", "0006_parking")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
