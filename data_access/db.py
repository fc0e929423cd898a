"""Engine, sessions and migrations; SQLite gets WAL, foreign keys, a busy timeout and
write transactions that begin IMMEDIATE, so concurrent writers neither lose updates nor fail.

A write that still waits longer than the busy timeout raises ``DatabaseBusy`` (a message for
the user, nothing written); the SQLite file is created readable by its owner only (0600).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from data_access import arrow_read, id_key
from data_access.errors import DatabaseBusy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "campaign.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def database_url() -> str:
    """``DATABASE_URL`` from the environment, else the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _create_private_file(url: str) -> None:
    """Create a SQLite database file with mode 0600 before SQLite creates it (umask 0644).

    SQLite gives the -wal and -shm files the database file's permissions.
    """
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure_sqlite(engine: Engine, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """A new engine (prefer ``get_engine``); sets the ID-hash key for the process on first use."""
    id_key.configure(url)
    if url.startswith("sqlite"):
        _create_private_file(url)
        # hide_parameters: a failing statement's message never quotes ID numbers or phones.
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, hide_parameters=True)
        _configure_sqlite(engine, busy_timeout_ms)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process (no URL: ``database_url()`` as it is now)."""
    return _engine_for(url or database_url())


@cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


_BUSY_TEXTS = ("database is locked", "database is busy", "database table is locked")
_BUSY_SQLSTATES = ("55P03", "40P01")  # PostgreSQL: lock_not_available, deadlock_detected


def is_busy_error(error: OperationalError) -> bool:
    """Whether an error means "another writer holds the lock too long" (retrying may work)."""
    text = str(error.orig).lower()
    sqlstate = getattr(error.orig, "sqlstate", None)
    return any(busy in text for busy in _BUSY_TEXTS) or sqlstate in _BUSY_SQLSTATES


@cache
def _makers(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    read = sessionmaker(bind=engine, expire_on_commit=False)
    write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    write = sessionmaker(bind=write_engine, expire_on_commit=False)
    return read, write


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading; rolled back at the end."""
    maker, _ = _makers(engine or get_engine())
    with maker() as session:
        session.info[arrow_read.ARROW_READS] = True  # big frames may be read over Arrow (committed rows only)
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One all-or-nothing write transaction: committed on success, rolled back on any error.

    On SQLite it begins IMMEDIATE, taking the write lock up front so a read-then-write
    cannot interleave with another writer (no lost updates, no mid-transaction lock errors).
    Waiting past the busy timeout raises ``DatabaseBusy`` after the rollback.
    """
    _, maker = _makers(engine or get_engine())
    try:
        with maker() as session, session.begin():
            yield session
    except OperationalError as error:
        if is_busy_error(error):
            raise DatabaseBusy() from error
        raise


def alembic_config(url: str) -> Any:
    """An Alembic config pointing at our migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to a migration, the newest by default (creates it on an empty database)."""
    from alembic import command

    _alembic(engine or get_engine(), command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to an earlier migration (tests of the migrations themselves)."""
    from alembic import command

    _alembic(engine, command.downgrade, revision)


def _alembic(engine: Engine, step: Any, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
        return
    # SQLite alters a table by rebuilding it (batch mode), which a foreign key pointing at it
    # would refuse: keys are off while migrating (the pragma only changes outside a
    # transaction) and checked in full before they are switched on again.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection  # no SQLAlchemy autobegin around pragmas
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken foreign keys")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def is_empty(engine: Engine | None = None) -> bool:
    """Whether the database holds no campaign yet (or no schema)."""
    from sqlalchemy import func, select

    from data_access.models import Campaign

    engine = engine or get_engine()
    if not inspect(engine).has_table("campaign"):
        return True
    with read_session(engine) as session:
        return (session.scalar(select(func.count()).select_from(Campaign)) or 0) == 0


def wipe(engine: Engine | None = None, by: str | None = None, reason: str | None = None) -> None:
    """Delete every row of every table (children first), keeping the schema and the levels.

    The only path that clears the append-only ``audit``: in one transaction it drops the
    audit guard, deletes, recreates the guard and writes an audit row naming who wiped and why.
    """
    from data_access.audit import create_append_only_guard, drop_append_only_guard, log_wipe
    from data_access.models import Base

    engine = engine or get_engine()
    with write_session(engine) as session:
        connection = session.connection()
        drop_append_only_guard(connection)
        deleted = 0
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "org_level":  # the tree's levels are configuration, not campaign data
                continue
            deleted += session.execute(table.delete()).rowcount or 0
        create_append_only_guard(connection)
        seed_levels(session)
        log_wipe(session, by, reason, deleted)


def seed_levels(session: Session) -> None:
    """Insert the built-in levels of the tree that are missing (after a wipe, on a new database)."""
    from sqlalchemy import select

    from campaign.orglevels import BUILT_IN_LEVELS
    from data_access.models import OrgLevel

    have = set(session.scalars(select(OrgLevel.code)))
    names = set(session.scalars(select(OrgLevel.name)))
    for code, name, kind, rank in BUILT_IN_LEVELS:
        if code not in have and name not in names:
            session.add(OrgLevel(code=code, name=name, kind=kind, rank=rank))
    session.flush()
