"""member stage window: the milestone cards' "last 7 days" counts per unit, stage and times

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_stage_window',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('reached_at', sa.DateTime(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('live_from', sa.DateTime(), nullable=False),
    sa.Column('live_until', sa.DateTime(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_member_stage_window_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_member_stage_window_unit_id_org_unit')),
    sa.PrimaryKeyConstraint(
        'campaign_id', 'stage', 'reached_at', 'unit_id', 'live_from', 'live_until', name=op.f('pk_member_stage_window')
    ),
    sqlite_with_rowid=False,  # SQLite: rows stored in key order, a window reads one range
    )
    # The table for what is already there (an upgraded database).
    from data_access import summary_window

    summary_window.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('member_stage_window')
