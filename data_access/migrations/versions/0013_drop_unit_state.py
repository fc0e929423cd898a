"""drop unit_state: each unit's current state is its open version in unit_state_version

``unit_state`` (migration 0009) held each unit's current upload, submission and paper state and
when it last changed. Since migration 0011 the pages read ``unit_state_version``, whose open
version (``valid_until`` NULL) is the same row, so every write kept two copies; only the tests'
cross-check still read the old one. The downgrade recreates the table as 0009 made it and fills
it from the open versions (frozen SQL: the writers no longer know the table). Migrations 0009 to
0012, when run by this code on a database with rows, leave the old table empty; nothing reads it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STATE_COLUMNS = (
    'collected', 'open_errors', 'first_clean', 'uploads', 'first_submitted_at', 'kept_submitted_at', 'last_submitted_at',
    'approved_at', 'outcome', 'paper_sheet', 'paper_unit_form', 'paper_id_copies', 'paper_consents', 'id_copies_missing',
    'consents_missing',
)


def upgrade() -> None:
    op.drop_index('ix_unit_state_changed', table_name='unit_state')
    op.drop_table('unit_state')


def downgrade() -> None:
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
    # Each unit's current state is its open version, and its last change that version's start.
    columns = ', '.join(STATE_COLUMNS)
    op.execute(
        f'INSERT INTO unit_state (campaign_id, unit_id, {columns}, changed_at) '
        f'SELECT campaign_id, unit_id, {columns}, valid_from FROM unit_state_version WHERE valid_until IS NULL'
    )
