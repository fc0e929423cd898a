"""Bulk loading of generated campaigns (demo, scale) into the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from campaign.demo.generator import TABLE_ORDER, DemoData
from data_access.auth import hash_password
from data_access.models import Base

CHUNK = 5_000


def _insert_rows(session: Session, table_name: str, rows: Sequence[dict[str, Any]]) -> None:
    table = Base.metadata.tables[table_name]
    columns = set(table.columns.keys())
    for start in range(0, len(rows), CHUNK):
        chunk = [{k: v for k, v in row.items() if k in columns} for row in rows[start : start + CHUNK]]
        session.execute(insert(table), chunk)


def load_generated(session: Session, data: DemoData) -> dict[str, int]:
    """Insert every generated table in foreign-key order; the caller owns the transaction."""
    counts: dict[str, int] = {}
    password_hashes: dict[str, str] = {}
    for table_name in TABLE_ORDER:
        rows = data.tables.get(table_name, [])
        if table_name == "user":
            for row in rows:
                password = row["password"]
                if password not in password_hashes:
                    password_hashes[password] = hash_password(password)
                row["password_hash"] = password_hashes[password]
        if rows:
            _insert_rows(session, table_name, rows)
        counts[table_name] = len(rows)
    if session.get_bind().dialect.name == "postgresql":
        for table_name in TABLE_ORDER:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table_name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table_name}\"), 0) + 1, false)"
                )
            )
    return counts
