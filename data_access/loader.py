"""Bulk loading of generated campaigns (demo, scale) into the database."""

from __future__ import annotations

import bisect
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


# --- streaming bulk writes (python -m campaign scale) ---------------------------------------

STREAMED_TABLES = (
    "upload", "issue", "submission", "review_decision", "paper_receipt", "member", "member_event",
    "bank_batch", "bank_batch_member", "bank_result", "card_movement", "chase",
)


class BulkWriter:
    """Writes chunks of plain tuples, one transaction per chunk, on the raw DBAPI connection.

    SQLite: ``executemany`` with ``synchronous=OFF`` and a large page cache during the load
    (restored after), the non-unique indexes of the streamed tables dropped first and rebuilt
    at the end. PostgreSQL: ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``). Use as a
    context manager; ``write`` commits each chunk.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.dropped: list[str] = []
        self.raw: Any = None
        self.restore: list[str] = []

    def __enter__(self) -> BulkWriter:
        self.raw = self.engine.raw_connection()
        if self.dialect == "sqlite":
            cursor = self.raw.cursor()
            sync = cursor.execute("PRAGMA synchronous").fetchone()[0]
            cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            self.restore = [f"PRAGMA synchronous={int(sync)}", f"PRAGMA cache_size={int(cache)}"]
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB of pages
            cursor.execute("PRAGMA temp_store=MEMORY")
            marks = ",".join("?" * len(STREAMED_TABLES))
            found = cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
                STREAMED_TABLES,
            ).fetchall()
            for name, sql in found:
                if not sql.upper().startswith("CREATE UNIQUE"):
                    cursor.execute(f'DROP INDEX "{name}"')
                    self.dropped.append(sql)
            self.raw.commit()
        return self

    def write(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert the rows (tuples in ``columns`` order) and commit."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        self.raw.commit()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        cursor = self.raw.cursor()
        cursor.execute(sql, params) if params else cursor.execute(sql)
        self.raw.commit()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        cursor.executemany(sql, rows)
        self.raw.commit()

    def finish(self) -> None:
        """Rebuild the dropped indexes, refresh the planner's statistics, set the sequences."""
        cursor = self.raw.cursor()
        if self.dialect == "sqlite":
            for sql in self.dropped:
                cursor.execute(sql)
            self.dropped = []
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        else:
            for table in STREAMED_TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
                )
            cursor.execute("ANALYZE")
        self.raw.commit()

    def __exit__(self, *exc: object) -> None:
        try:
            if self.raw is not None and self.dialect == "sqlite":
                self.raw.rollback()
                cursor = self.raw.cursor()
                for sql in self.dropped:  # after a failure: the indexes come back all the same
                    cursor.execute(sql)
                for sql in self.restore:
                    cursor.execute(sql)
                self.raw.commit()
        finally:
            if self.raw is not None:
                self.raw.close()


def load_city(
    engine: Any, config: Any, now: Any, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Stream a city-size campaign (``campaign.demo.city``) into an empty, migrated database:
    the setup through ``load_generated``, then chunk by chunk through ``BulkWriter``, then the
    batch sizes, the summary tables and one audit row. Returns rows per table."""
    from campaign.demo.city import COLUMNS, generate_city
    from campaign.rules import id_number
    from data_access.db import write_session
    from data_access.summary import rebuild_all

    key = getattr(id_number, "_id_hash_key", None)
    if key is None:
        id_number.id_hash("0" * 18)  # raises MissingIdHashKey with the usual message
    plan, generator = generate_city(now, config, key)
    setup = plan.setup
    with write_session(engine) as session:
        counts = load_generated(session, setup.data)
    counts = {table: n for table, n in counts.items() if n}
    total_units = len(setup.units)
    unit_ids = [u["id"] for u in setup.units]
    with BulkWriter(engine) as writer:
        writer.write("bank_batch", COLUMNS["bank_batch"], generator.batch_rows())
        done_units = 0
        for table, rows in generator.units():
            writer.write(table, COLUMNS[table], rows)
            counts[table] = counts.get(table, 0) + len(rows)
            if table == "member":
                done_units = bisect.bisect_right(unit_ids, rows[-1][2])  # units are numbered in order
            if progress is not None and table == "member":
                progress(done_units, total_units)
        sizes = sorted(generator.batch_counts.items())
        writer.executemany("UPDATE bank_batch SET member_count = ? WHERE id = ?", [(n, b) for b, n in sizes])
        writer.execute("DELETE FROM bank_batch WHERE member_count = 0")
        counts["bank_batch"] = len(sizes)
        writer.finish()
    with write_session(engine) as session:
        rebuild_all(session, setup.campaign["id"])
        from data_access.models import Audit

        session.add(Audit(
            at=now, user_login=None, action="import_sheet", object="scale",
            detail=f"generated city campaign: {counts.get('member', 0)} members, {total_units} units (seed {config.seed})",
            row_count=counts.get("member", 0),
        ))
    if progress is not None:
        progress(total_units, total_units)
    return counts
