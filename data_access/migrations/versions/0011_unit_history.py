"""unit state history: each unit's state versions, valid from one change until the next

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_state_version',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=True),
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
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_unit_state_version_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_unit_state_version_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'valid_from', name=op.f('pk_unit_state_version'))
    )
    # The history of what is already there (an upgraded database).
    from data_access import unit_state

    unit_state.rebuild_versions(op.get_bind())


def downgrade() -> None:
    op.drop_table('unit_state_version')
