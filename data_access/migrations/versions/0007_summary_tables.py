"""summary tables: member stage counts per unit and time, bank results per batch, unit, reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_stage_count',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_member_stage_count_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_member_stage_count_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'stage', 'at', name=op.f('pk_member_stage_count'))
    )
    op.create_table('bank_result_count',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason_code', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['bank_batch.id'], name=op.f('fk_bank_result_count_batch_id_bank_batch')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_bank_result_count_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_bank_result_count_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'batch_id', 'unit_id', 'outcome', 'reason_code', 'at', name=op.f('pk_bank_result_count'))
    )
    # The summaries of what is already there (an upgraded database).
    # (only this revision's tables: rebuild_all also fills tables of later revisions)
    from data_access.summary import rebuild_bank_results, rebuild_members

    rebuild_members(op.get_bind())
    rebuild_bank_results(op.get_bind())


def downgrade() -> None:
    op.drop_table('bank_result_count')
    op.drop_table('member_stage_count')
