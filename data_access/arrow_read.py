"""Big read-only frames read over Arrow (ADBC), without a Python object per value.

At city size the overview's per-unit frame is 50,000 rows × 39 columns: SQLite answers its
query in 0.13 s, and turning the answer into Python tuples, values and a frame took 0.6 s more.
The ADBC drivers (``adbc-driver-sqlite``, ``adbc-driver-postgresql``: COPY in binary) hand the
rows over as Arrow columns, and pandas takes those nearly as they are.

They read on their own connection, in autocommit (each read its own snapshot: a pooled
connection never keeps an old one), so they see what is committed, not what the caller's
transaction has written. Only read sessions opt in (``data_access.db.read_session`` sets
``ARROW_READS`` in the session's info); a write session, an in-memory database or a missing
driver read the usual way (``frame`` returns None and the caller falls back).

The frame has the dtypes a frame built from SQLAlchemy's values has (``metrics.columns_of``):
DateTime columns as ``datetime64[us]``, Boolean ones as bools (objects with None when some are
NULL), a column with no value at all as objects (None), integers with a NULL as floats.
"""

from __future__ import annotations

import atexit
import threading
from contextlib import suppress
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Boolean, CompoundSelect, Date, DateTime, Select
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

ARROW_READS = "arrow_reads"
# All rows in one batch: the SQLite driver infers a column's type from its first batch and
# refuses a later value of another type (a date after a batch of NULLs).
_SQLITE_OPTIONS = {"adbc.sqlite.query.batch_rows": str(1 << 30)}

_PG_TEXT = psycopg.dialect(paramstyle="named")

_idle: dict[str, list[Any]] = {}
_lock = threading.Lock()


def _target(url: URL) -> tuple[str, str] | None:
    """(driver, URI) for an engine's URL, or None when it cannot be read over Arrow."""
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return "sqlite", f"file:{quote(path, safe='/')}?mode=ro"  # a URI: "?", "#", "%" and spaces escaped
    if url.get_backend_name() == "postgresql":
        return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)
    return None


def _connect(driver: str, uri: str) -> Any:
    if driver == "sqlite":
        import adbc_driver_sqlite.dbapi as sqlite_dbapi

        return sqlite_dbapi.connect(uri, autocommit=True)
    import adbc_driver_postgresql.dbapi as pg_dbapi

    connection = pg_dbapi.connect(uri, autocommit=True)
    with connection.cursor() as cursor:
        # JIT compiles these many-subplan queries for longer than they run (as ``metrics.columns_of``)
        cursor.execute("SET jit = off")
    return connection


def _take(driver: str, uri: str) -> tuple[Any, bool]:
    """A connection (an idle one if there is one) and whether it was idle."""
    with _lock:
        idle = _idle.setdefault(uri, [])
        if idle:
            return idle.pop(), True
    return _connect(driver, uri), False


def _give_back(uri: str, connection: Any) -> None:
    with _lock:
        _idle.setdefault(uri, []).append(connection)


@atexit.register
def close_all() -> None:
    """Close the idle connections (at exit, and in tests that drop their database)."""
    with _lock:
        connections = [c for idle in _idle.values() for c in idle]
        _idle.clear()
    for connection in connections:
        with suppress(Exception):  # closing: nothing left to tell
            connection.close()


def _read(driver: str, uri: str, sql: str) -> pa.Table:
    connection, was_idle = _take(driver, uri)
    try:
        table = _execute(driver, connection, sql)
    except Exception:
        with suppress(Exception):
            connection.close()
        if not was_idle:
            raise
        # an idle connection the server (or a proxy) has closed since: once more on a new one
        connection = _connect(driver, uri)
        try:
            table = _execute(driver, connection, sql)
        except BaseException:
            with suppress(Exception):
                connection.close()
            raise
    except BaseException:
        with suppress(Exception):
            connection.close()
        raise
    _give_back(uri, connection)
    return table


def _execute(driver: str, connection: Any, sql: str) -> pa.Table:
    with connection.cursor() as cursor:
        if driver == "sqlite":
            cursor.adbc_statement.set_options(**_SQLITE_OPTIONS)
        cursor.execute(sql)
        return cursor.fetch_arrow_table()


def _column(values: pa.ChunkedArray, sql_type: Any) -> pd.Series | list[None]:
    n = len(values)
    if n and values.null_count == n:
        return [None] * n  # no value at all: objects, as pandas makes of a list of None
    if isinstance(values.type, pa.ExtensionType):  # PostgreSQL numeric, as its text
        text = pa.chunked_array([chunk.storage for chunk in values.chunks], type=values.type.storage_type)
        return pd.Series([None if v is None else Decimal(v) for v in text.to_pylist()], dtype=object)
    if isinstance(sql_type, DateTime):
        if not pa.types.is_timestamp(values.type):  # SQLite's text, as SQLAlchemy writes it
            try:
                values = pc.cast(values, pa.timestamp("us"))
            except pa.ArrowInvalid:
                return pd.to_datetime(values.to_pandas(), format="ISO8601").astype("datetime64[us]")
        return values.to_pandas().astype("datetime64[us]")
    if isinstance(sql_type, Date) and not pa.types.is_date(values.type):  # SQLite's text: dates (objects)
        values = pc.cast(values, pa.date32())
    if isinstance(sql_type, Boolean) and not pa.types.is_boolean(values.type):  # SQLite's 0 and 1
        values = pc.cast(values, pa.bool_())
    elif pa.types.is_integer(values.type) and values.type != pa.int64():  # PostgreSQL's int4: Python's ints are int64
        values = pc.cast(values, pa.int64())
    elif pa.types.is_floating(values.type) and values.type != pa.float64():
        values = pc.cast(values, pa.float64())
    return values.to_pandas()  # bools with a NULL: objects (True, False, None), as from SQLAlchemy's values


def _readable(sql_type: Any, dialect: Any) -> bool:
    """Whether a column's values come over Arrow as SQLAlchemy would give them: the types
    ``_column`` converts, and those SQLAlchemy passes through unchanged on this database."""
    if isinstance(sql_type, (DateTime, Date, Boolean)):
        return True
    return sql_type.dialect_impl(dialect).result_processor(dialect, None) is None


def table(session: Session, query: Select[Any] | CompoundSelect[Any]) -> pa.Table | None:
    """The query's rows as an Arrow table as the driver gives them (SQLite's dates as text, its
    bools as 0 and 1), or None when this session does not read that way (not a read session,
    an in-memory database, no driver, a type ``frame`` could not convert)."""
    if not session.info.get(ARROW_READS):
        return None
    bind = session.get_bind()
    target = _target(bind.engine.url)
    if target is None:
        return None
    driver, uri = target
    if not all(_readable(column.type, bind.dialect) for column in query.selected_columns):
        return None
    # the values written into the text; on PostgreSQL by a dialect that does not double "%" (psycopg's would)
    dialect = _PG_TEXT if driver == "postgresql" else bind.dialect
    try:
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - a value SQLAlchemy cannot write as a literal: read the usual way
        return None
    return _read(driver, uri, sql)


def frame(session: Session, query: Select[Any] | CompoundSelect[Any]) -> pd.DataFrame | None:
    """The query's rows as a frame read over Arrow, or None when this session does not read
    that way (``table``). No rows: an empty frame."""
    read = table(session, query)
    if read is None:
        return None
    if read.num_rows == 0:
        return pd.DataFrame([])
    types = [column.type for column in query.selected_columns]
    return pd.DataFrame({name: _column(read.column(i), types[i]) for i, name in enumerate(read.column_names)})
