"""unit state: per-unit stage totals and upload / submission state, recent stage deltas index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

STAGES = (
    'validated', 'submitted', 'approved', 'sent_to_bank', 'produced', 'received', 'distributed', 'delivered',
    'activated', 'failed_open',
)


def upgrade() -> None:
    op.create_table('unit_stage_total',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    *(sa.Column(stage, sa.Integer(), nullable=False) for stage in STAGES),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_unit_stage_total_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_unit_stage_total_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', name=op.f('pk_unit_stage_total'))
    )
    op.create_table('unit_state',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('collected', sa.Integer(), nullable=True),
    sa.Column('open_errors', sa.Integer(), nullable=True),
    sa.Column('first_clean', sa.Integer(), nullable=True),
    sa.Column('uploads', sa.Integer(), nullable=True),
    sa.Column('first_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('kept_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('last_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('paper_sheet', sa.Boolean(), nullable=True),
    sa.Column('paper_unit_form', sa.Boolean(), nullable=True),
    sa.Column('paper_id_copies', sa.Boolean(), nullable=True),
    sa.Column('paper_consents', sa.Boolean(), nullable=True),
    sa.Column('id_copies_missing', sa.Integer(), nullable=True),
    sa.Column('consents_missing', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_unit_state_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_unit_state_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', name=op.f('pk_unit_state'))
    )
    op.create_index('ix_unit_state_changed', 'unit_state', ['campaign_id', 'changed_at'], unique=False)
    op.create_index(
        'ix_member_stage_count_recent', 'member_stage_count', ['campaign_id', 'at', 'unit_id', 'stage', 'n'], unique=False
    )
    # The caches of what is already there (an upgraded database).
    from data_access import unit_state

    bind = op.get_bind()
    unit_state.rebuild_totals(bind)
    unit_state.rebuild(bind)


def downgrade() -> None:
    op.drop_index('ix_member_stage_count_recent', table_name='member_stage_count')
    op.drop_index('ix_unit_state_changed', table_name='unit_state')
    op.drop_table('unit_state')
    op.drop_table('unit_stage_total')
