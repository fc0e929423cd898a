"""Bulk loading of generated campaigns (demo, scale) into the database."""

from __future__ import annotations

import bisect
import multiprocessing
import queue
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
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

# Scratch tables of one load (per connection): a unit's shared events and single corrections,
# which ``derive_events`` turns into ``member_event`` rows.
_SCRATCH = {
    "city_unit_event": (
        ("unit_id", "INTEGER"), ("seq", "INTEGER"), ("kind", "VARCHAR(16)"), ("at", "TIMESTAMP"), ("by", "VARCHAR(64)"),
        ("upload_id", "INTEGER"), ("submission_id", "INTEGER"), ("reason", "VARCHAR(32)"), ("note", "TEXT"),
    ),
    "city_corrected": (
        ("member_id", "INTEGER"), ("campaign_id", "INTEGER"), ("unit_id", "INTEGER"), ("at", "TIMESTAMP"), ("by", "VARCHAR(64)"),
    ),
}
_EVENT_COLUMNS = '"member_id", "campaign_id", "unit_id", "kind", "at", "by", "upload_id", "submission_id", "batch_id", "reason", "note"'

# member_event rows of one chunk, source by source. Within one member, events that share a time
# are numbered in the order the actions would write them (collected before validated, a
# correction before the re-send it allows), which is the order of these statements; the
# generator's member cache takes the same (at, id) order as ``actions.base.add_events``.
_DERIVE_EVENTS = (
    ("member", f"""INSERT INTO member_event ({_EVENT_COLUMNS})
        SELECT m.id, m.campaign_id, m.unit_id, e.kind, e.at, e.by, e.upload_id, e.submission_id, NULL, e.reason, e.note
        FROM member m JOIN city_unit_event e ON e.unit_id = m.unit_id
        WHERE m.id BETWEEN ? AND ? ORDER BY m.id, e.seq"""),
    ("corrected", f"""INSERT INTO member_event ({_EVENT_COLUMNS})
        SELECT c.member_id, c.campaign_id, c.unit_id, 'corrected', c.at, c.by, NULL, NULL, NULL, NULL, NULL
        FROM city_corrected c ORDER BY c.member_id"""),
    ("bank_batch_member", f"""INSERT INTO member_event ({_EVENT_COLUMNS})
        SELECT s.member_id, m.campaign_id, m.unit_id, 'sent_to_bank', b.sent_at, 'bank', NULL, NULL, s.batch_id, NULL, NULL
        FROM bank_batch_member s JOIN member m ON m.id = s.member_id JOIN bank_batch b ON b.id = s.batch_id
        WHERE s.id BETWEEN ? AND ? ORDER BY s.id"""),
    ("bank_result", f"""INSERT INTO member_event ({_EVENT_COLUMNS})
        SELECT r.member_id, m.campaign_id, m.unit_id, r.outcome, r.at, 'bank', NULL, NULL, r.batch_id, r.reason_code, NULL
        FROM bank_result r JOIN member m ON m.id = r.member_id
        WHERE r.id BETWEEN ? AND ? ORDER BY r.id"""),
    ("card_movement", f"""INSERT INTO member_event ({_EVENT_COLUMNS})
        SELECT c.member_id, m.campaign_id, m.unit_id,
            CASE c.step WHEN 'received_by_district' THEN 'received' WHEN 'handed_to_unit' THEN 'distributed'
                ELSE c.step END,
            c.at, c.by, NULL, NULL, NULL, NULL, NULL
        FROM card_movement c JOIN member m ON m.id = c.member_id
        WHERE c.id BETWEEN ? AND ? ORDER BY c.id"""),
)


def _scratch_sql(table: str, columns: Sequence[tuple[str, str]], time_type: str) -> str:
    typed = ", ".join(f'"{c}" {time_type if t == "TIMESTAMP" else t}' for c, t in columns)
    return f'CREATE TEMP TABLE IF NOT EXISTS "{table}" ({typed})'


# Indexes dropped for the load and rebuilt after it: those whose keys arrive in random order
# (a person's ID hash). The others follow the generation order (ids, units and batches
# ascending), so keeping them up to date costs less than sorting millions of keys at the end.
_DROP_DURING_LOAD = frozenset({"uq_member_campaign_live_id_hash"})


class BulkWriter:
    """Writes chunks of plain tuples on one raw DBAPI connection; the caller commits per chunk.

    SQLite: ``executemany`` with ``synchronous=OFF``, foreign-key checks off, a large page cache
    during the load (restored after), every index of the streamed tables but the primary keys
    dropped first and rebuilt at the end (a unique index checks its rows when it is rebuilt).
    PostgreSQL: ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``), the same indexes dropped and
    rebuilt. Use as a context manager.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.dropped: list[str] = []
        self.raw: Any = None
        self.restore: list[str] = []

    def __enter__(self) -> BulkWriter:
        self.raw = self.engine.raw_connection()
        cursor = self.raw.cursor()
        if self.dialect == "sqlite":
            sync = cursor.execute("PRAGMA synchronous").fetchone()[0]
            cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            keys = cursor.execute("PRAGMA foreign_keys").fetchone()[0]
            self.raw.commit()
            self.restore = [f"PRAGMA synchronous={int(sync)}", f"PRAGMA cache_size={int(cache)}", f"PRAGMA foreign_keys={int(keys)}"]
            cursor.execute("PRAGMA foreign_keys=OFF")  # checked by the tests (PRAGMA foreign_key_check)
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB of pages
            marks = ",".join("?" * len(STREAMED_TABLES))
            found = cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
                STREAMED_TABLES,
            ).fetchall()
            self._drop_indexes(cursor, found)
            for table, columns in _SCRATCH.items():
                cursor.execute(_scratch_sql(table, columns, "TEXT"))
            cursor.execute('CREATE INDEX IF NOT EXISTS temp.city_unit_event_unit ON city_unit_event (unit_id, seq)')
        else:
            found = cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                (list(STREAMED_TABLES),),
            ).fetchall()
            self._drop_indexes(cursor, found)
            for table, columns in _SCRATCH.items():
                cursor.execute(_scratch_sql(table, columns, "TIMESTAMP"))
            cursor.execute("CREATE INDEX IF NOT EXISTS city_unit_event_unit ON city_unit_event (unit_id, seq)")
            self.raw.commit()
            try:  # foreign-key triggers off for this session (superuser only); the tests check the rows
                cursor.execute("SET session_replication_role = replica")
                self.restore = ["SET session_replication_role = DEFAULT"]
            except Exception:  # noqa: BLE001 - not allowed: the load checks each key, slower
                self.raw.rollback()
        self.raw.commit()
        return self

    def _drop_indexes(self, cursor: Any, found: Sequence[tuple[str, str]]) -> None:
        """Drop the indexes of ``_DROP_DURING_LOAD`` among ``found`` (name, definition), keeping
        their definitions to rebuild them in ``finish``."""
        for name, sql in found:
            if name in _DROP_DURING_LOAD:
                cursor.execute(f'DROP INDEX "{name}"')
                self.dropped.append(sql)

    def _cursor(self) -> Any:
        """A cursor inside a transaction. The engine's SQLite connections run in autocommit
        mode (its ``begin`` event emits BEGIN), so without this every row of an
        ``executemany`` would be a transaction of its own."""
        cursor = self.raw.cursor()
        if self.dialect == "sqlite" and not self.raw.in_transaction:
            cursor.execute("BEGIN IMMEDIATE")
        return cursor

    def write(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, commit: bool = True) -> None:
        """Insert the rows (tuples in ``columns`` order); commit unless told not to."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self._cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        if commit:
            self.raw.commit()

    def derive_events(self, ranges: dict[str, tuple[int, int]]) -> int:
        """Turn the chunk's rows into ``member_event`` rows in SQL (``ranges``: table -> first
        and last id of the chunk's rows); empties the scratch tables. Returns rows written."""
        cursor = self._cursor()
        written = 0
        for source, sql in _DERIVE_EVENTS:
            if source == "corrected":
                params: tuple[int, ...] = ()
            elif source in ranges:
                params = ranges[source]
            else:
                continue
            if self.dialect == "postgresql":
                sql = sql.replace("?", "%s")
            cursor.execute(sql, params) if params else cursor.execute(sql)
            written += max(cursor.rowcount, 0)
        for table in _SCRATCH:
            cursor.execute(f'DELETE FROM "{table}"')
        return written

    def commit(self) -> None:
        self.raw.commit()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        cursor = self._cursor()
        cursor.execute(sql, params) if params else cursor.execute(sql)
        self.raw.commit()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        cursor = self._cursor()
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        cursor.executemany(sql, rows)
        self.raw.commit()

    def finish(self) -> None:
        """Rebuild the dropped indexes, refresh the planner's statistics, set the sequences."""
        cursor = self._cursor()
        for sql in self.dropped:
            cursor.execute(sql)
        self.dropped = []
        if self.dialect == "sqlite":
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
            if self.raw is not None:
                self.raw.rollback()
                cursor = self.raw.cursor()
                for sql in self.dropped:  # after a failure: the indexes come back all the same
                    cursor.execute(sql)
                for table in _SCRATCH:
                    cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
                for sql in self.restore:
                    cursor.execute(sql)
                self.raw.commit()
        finally:
            if self.raw is not None:
                self.raw.close()


Chunk = dict[str, list[tuple[Any, ...]]]


def _produce(generator: Any, out: Any) -> None:  # pragma: no cover - runs in the child process
    try:
        for chunk in generator.chunks():
            out.put(chunk)
        out.put(("done", generator.batch_counts))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        out.put(("error", traceback.format_exc()))


def _chunks(generator: Any, parallel: bool) -> Iterator[Chunk]:
    """The generator's chunks, made in a child process while this one writes (two cores: the
    rows of the next chunk are built while the database stores this one); ``batch_counts``
    copied back at the end. Same rows, same order as running it here."""
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        yield from generator.chunks()
        return
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=2)  # at most two chunks waiting: memory stays flat
    child = context.Process(target=_produce, args=(generator, out), daemon=True)
    child.start()
    try:
        while True:
            try:
                item = out.get(timeout=2)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"city generator process died (exit code {child.exitcode})") from None
                continue
            if isinstance(item, tuple):
                if item[0] == "error":
                    raise RuntimeError(f"city generator failed:\n{item[1]}")
                generator.batch_counts = item[1]
                return
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def load_city(
    engine: Any, config: Any, now: Any, progress: Callable[[int, int], None] | None = None, *, parallel: bool = True,
    timings: dict[str, float] | None = None, on_phase: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Stream a city-size campaign (``campaign.demo.city``) into an empty, migrated database:
    the setup through ``load_generated``, then chunk by chunk through ``BulkWriter`` (the
    chunk's tables, then its member events derived in SQL, one transaction), then the batch
    sizes, the indexes, the summary tables and one audit row. ``parallel``: generate in a child
    process (``_chunks``); ``timings``, when given, gets the seconds of each phase (setup, rows,
    indexes, summaries); ``on_phase`` is told when the indexes and the summaries begin (they take
    a while after the last chunk). Returns rows per table."""
    from campaign.demo.city import COLUMNS, STREAM_ORDER, generate_city
    from campaign.rules import id_number
    from data_access.db import write_session
    from data_access.summary import rebuild_all

    key = getattr(id_number, "_id_hash_key", None)
    if key is None:
        id_number.id_hash("0" * 18)  # raises MissingIdHashKey with the usual message
    clock = [time.perf_counter()]
    spent = timings if timings is not None else {}

    def lap(phase: str) -> None:
        clock.append(time.perf_counter())
        spent[phase] = clock[-1] - clock[-2]

    plan, generator = generate_city(now, config, key)
    setup = plan.setup
    with write_session(engine) as session:
        counts = load_generated(session, setup.data)
    lap("setup")
    counts = {table: n for table, n in counts.items() if n}
    total_units = len(setup.units)
    unit_ids = [u["id"] for u in setup.units]
    scratch = {"unit_event": "city_unit_event", "corrected": "city_corrected"}
    with BulkWriter(engine) as writer:
        writer.write("bank_batch", COLUMNS["bank_batch"], generator.batch_rows())
        for chunk in _chunks(generator, parallel):
            ranges: dict[str, tuple[int, int]] = {}
            for table in STREAM_ORDER:
                rows = chunk.get(table)
                if not rows:
                    continue
                writer.write(scratch.get(table, table), COLUMNS[table], rows, commit=False)
                if table not in scratch:
                    counts[table] = counts.get(table, 0) + len(rows)
                    ranges[table] = (rows[0][0], rows[-1][0])
            counts["member_event"] = counts.get("member_event", 0) + writer.derive_events(ranges)
            writer.commit()
            if progress is not None and chunk.get("member"):
                progress(bisect.bisect_right(unit_ids, chunk["member"][-1][2]), total_units)  # units numbered in order
        sizes = sorted(generator.batch_counts.items())
        writer.executemany("UPDATE bank_batch SET member_count = ? WHERE id = ?", [(n, b) for b, n in sizes])
        writer.execute("DELETE FROM bank_batch WHERE member_count = 0")
        counts["bank_batch"] = len(sizes)
        lap("rows")
        if on_phase is not None:
            on_phase("indexes")
        writer.finish()
        lap("indexes")
    if on_phase is not None:
        on_phase("summaries")
    with write_session(engine) as session:
        # Every campaign (the database held none before): without a campaign filter SQLite scans
        # the member table once per stage instead of walking it through ix_member_campaign_stage
        # (3M members: a third less time).
        rebuild_all(session)
        from data_access.models import Audit

        session.add(Audit(
            at=now, user_login=None, action="import_sheet", object="scale",
            detail=f"generated city campaign: {counts.get('member', 0)} members, {total_units} units (seed {config.seed})",
            row_count=counts.get("member", 0),
        ))
    lap("summaries")
    if progress is not None:
        progress(total_units, total_units)
    return counts
