"""open failures read from indexes alone: failed results with their reason, produced results, corrections

The worklist of open bank failures (``bank.open_failures``) read, for about 30,000 failed members
of a city, every bank result and every member event of each: random reads of two large tables.
Three partial indexes hold all it needs (the failed one also the batch, for the correction
page's list). SQLite 3.40 uses a partial index as covering only when the column its WHERE names
is in the index too, hence ``outcome`` / ``kind`` in the key.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

FAILED = sa.text("outcome = 'failed'")
PRODUCED = sa.text("outcome = 'produced'")
CORRECTED = sa.text("kind = 'corrected'")


def upgrade() -> None:
    op.drop_index('ix_bank_result_failed', table_name='bank_result')
    op.create_index('ix_bank_result_failed', 'bank_result', ['member_id', 'at', 'outcome', 'reason_code', 'reason_text', 'batch_id'],
                    unique=False, sqlite_where=FAILED, postgresql_where=FAILED)
    op.create_index('ix_bank_result_produced', 'bank_result', ['member_id', 'at', 'outcome'], unique=False,
                    sqlite_where=PRODUCED, postgresql_where=PRODUCED)
    op.create_index('ix_member_event_corrected', 'member_event', ['member_id', 'at', 'kind'], unique=False,
                    sqlite_where=CORRECTED, postgresql_where=CORRECTED)
    # The planner's statistics for the new indexes (without them SQLite prefers the plain
    # member_id index for the last failure's reason and reads result rows again).
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        bind.exec_driver_sql('PRAGMA analysis_limit=1000')
        for index in ('ix_bank_result_failed', 'ix_bank_result_produced', 'ix_member_event_corrected'):
            bind.exec_driver_sql(f'ANALYZE {index}')
    else:
        bind.exec_driver_sql('ANALYZE bank_result')
        bind.exec_driver_sql('ANALYZE member_event')


def downgrade() -> None:
    op.drop_index('ix_member_event_corrected', table_name='member_event')
    op.drop_index('ix_bank_result_produced', table_name='bank_result')
    op.drop_index('ix_bank_result_failed', table_name='bank_result')
    op.create_index('ix_bank_result_failed', 'bank_result', ['member_id', 'at'], unique=False,
                    sqlite_where=FAILED, postgresql_where=FAILED)
