"""more summary tables: findings per unit, code and time; cards; bank people; correction loop; batch sizes; failed results index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'))


def _counted(table: str, *columns: sa.Column, keys: tuple[str, ...], values: tuple[str, ...] = ('n',)) -> None:
    op.create_table(table,
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    *columns,
    *(sa.Column(v, sa.Integer(), nullable=False) for v in values),
    _fk(table, 'campaign_id', 'campaign'),
    _fk(table, 'unit_id', 'org_unit'),
    sa.PrimaryKeyConstraint('campaign_id', *keys, name=op.f(f'pk_{table}')),
    sqlite_with_rowid=False,  # SQLite: rows stored in key order, a cut-off's sum reads no row twice
    )


def upgrade() -> None:
    _counted('finding_count',
             sa.Column('code', sa.String(length=48), nullable=False),
             sa.Column('severity', sa.String(length=8), nullable=False),
             sa.Column('at', sa.DateTime(), nullable=False),
             keys=('unit_id', 'code', 'severity', 'at'), values=('raised', 'closed', 'open'))
    _counted('card_step_count',
             sa.Column('step', sa.String(length=24), nullable=False),
             sa.Column('at', sa.DateTime(), nullable=False),
             keys=('unit_id', 'step', 'at'))
    _counted('card_wait_count',
             sa.Column('received_at', sa.DateTime(), nullable=False),
             sa.Column('at', sa.DateTime(), nullable=False),
             keys=('unit_id', 'received_at', 'at'))
    _counted('bank_people_count',
             sa.Column('measure', sa.String(length=10), nullable=False),
             sa.Column('at', sa.DateTime(), nullable=False),
             keys=('unit_id', 'measure', 'at'))
    _counted('correction_count',
             sa.Column('measure', sa.String(length=12), nullable=False),
             sa.Column('at', sa.DateTime(), nullable=False),
             keys=('unit_id', 'measure', 'at'))
    op.create_table('batch_member_count',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    _fk('batch_member_count', 'batch_id', 'bank_batch'),
    _fk('batch_member_count', 'campaign_id', 'campaign'),
    _fk('batch_member_count', 'unit_id', 'org_unit'),
    sa.PrimaryKeyConstraint('campaign_id', 'batch_id', 'unit_id', name=op.f('pk_batch_member_count')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_bank_result_failed', 'bank_result', ['member_id', 'at'], unique=False,
                    sqlite_where=sa.text("outcome = 'failed'"), postgresql_where=sa.text("outcome = 'failed'"))
    # The summaries of what is already there (an upgraded database).
    from data_access.summary_more import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_bank_result_failed', table_name='bank_result')
    for table in ('batch_member_count', 'correction_count', 'bank_people_count', 'card_wait_count',
                  'card_step_count', 'finding_count'):
        op.drop_table(table)
