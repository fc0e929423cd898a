"""Bulk loading of generated campaigns (demo, scale) into the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from campaign.demo.generator import TABLE_ORDER, DemoData
from data_access.auth import hash_demo_password
from data_access.models import Base

CHUNK = 5_000


# Tables whose generated ids are dropped so the database numbers the rows: ``audit`` may
# already hold the row of the wipe that preceded the load.
DATABASE_NUMBERED = frozenset({"audit"})


def _insert_rows(
    session: Session, table_name: str, rows: Sequence[dict[str, Any]], progress: Callable[[str, int, int], None] | None = None
) -> None:
    table = Base.metadata.tables[table_name]
    columns = set(table.columns.keys())
    if table_name in DATABASE_NUMBERED:
        columns.discard("id")
    for start in range(0, len(rows), CHUNK):
        chunk = [{k: v for k, v in row.items() if k in columns} for row in rows[start : start + CHUNK]]
        session.execute(insert(table), chunk)
        if progress is not None:
            progress(table_name, min(start + CHUNK, len(rows)), len(rows))


def load_generated(
    session: Session, data: DemoData, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Insert every generated table in foreign-key order; the caller owns the transaction.

    Each demo account gets its own salted argon2 hash (demo cost parameters, see
    ``auth.hash_demo_password``), so cracking one hash never cracks the others.
    """
    counts: dict[str, int] = {}
    for table_name in TABLE_ORDER:
        rows = data.tables.get(table_name, [])
        if table_name == "user":
            rows = [{**row, "password_hash": hash_demo_password(row["password"])} for row in rows]
        if rows:
            _insert_rows(session, table_name, rows, progress)
        counts[table_name] = len(rows)
    if counts.get("member") or counts.get("bank_result"):
        from data_access.summary import rebuild_all

        rebuild_all(session)  # rows written in bulk: their summaries recomputed in SQL
    if session.get_bind().dialect.name == "postgresql":
        for table_name in TABLE_ORDER:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table_name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table_name}\"), 0) + 1, false)"
                )
            )
    return counts
