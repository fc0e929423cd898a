"""the chase sheet's open bank failures read from two partial indexes alone

The chase sheet (``chase.open_bank_failures``) finds each member's latest bank failure and asks
whether a correction, a card, a withdrawal or a replacement came since. SQLite found the
failures by skipping through the (unit, kind, time) index unit by unit, and asked through the
plain ``member_id`` index, reading every event of every failed member (about 30,000 members at
a city's size): 0.27 s of the sheet's 0.47 s. One partial index holds the failure events, one
the settling events, each with what the query reads (``kind`` in the key: SQLite 3.40 uses a
partial index as covering only then): 0.05-0.07 s.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

FAILED = sa.text("kind = 'failed'")
SETTLES = sa.text("kind IN ('corrected', 'produced', 'withdrawn', 'superseded')")


def upgrade() -> None:
    op.create_index('ix_member_event_failed', 'member_event', ['member_id', 'unit_id', 'campaign_id', 'at', 'kind'],
                    unique=False, sqlite_where=FAILED, postgresql_where=FAILED)
    op.create_index('ix_member_event_settles', 'member_event', ['member_id', 'at', 'kind'], unique=False,
                    sqlite_where=SETTLES, postgresql_where=SETTLES)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':  # the planner's statistics for the new indexes (as 0012)
        bind.exec_driver_sql('PRAGMA analysis_limit=1000')
        for index in ('ix_member_event_failed', 'ix_member_event_settles'):
            bind.exec_driver_sql(f'ANALYZE {index}')
    else:
        bind.exec_driver_sql('ANALYZE member_event')


def downgrade() -> None:
    op.drop_index('ix_member_event_settles', table_name='member_event')
    op.drop_index('ix_member_event_failed', table_name='member_event')
