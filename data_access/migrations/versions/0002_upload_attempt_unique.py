"""an upload's attempt number is unique per campaign and unit

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.create_unique_constraint("unit_attempt", ["campaign_id", "unit_id", "attempt"])


def downgrade() -> None:
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.drop_constraint("unit_attempt", type_="unique")
