"""Engine, sessions and migrations; SQLite gets WAL, foreign keys, a busy timeout and
write transactions that begin IMMEDIATE, so concurrent writers neither lose updates nor fail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

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
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@cache
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


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
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One all-or-nothing write transaction: committed on success, rolled back on any error.

    On SQLite it begins IMMEDIATE, taking the write lock up front so a read-then-write
    cannot interleave with another writer (no lost updates, no mid-transaction lock errors).
    """
    _, maker = _makers(engine or get_engine())
    with maker() as session, session.begin():
        yield session


def alembic_config(url: str) -> Any:
    """An Alembic config pointing at our migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine | None = None) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    from alembic import command

    engine = engine or get_engine()
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_empty(engine: Engine | None = None) -> bool:
    """Whether the database holds no campaign yet (or no schema)."""
    from sqlalchemy import func, select

    from data_access.models import Campaign

    engine = engine or get_engine()
    if not inspect(engine).has_table("campaign"):
        return True
    with read_session(engine) as session:
        return (session.scalar(select(func.count()).select_from(Campaign)) or 0) == 0


def wipe(engine: Engine | None = None) -> None:
    """Delete every row of every table (children first), keeping the schema."""
    from data_access.models import Base

    engine = engine or get_engine()
    with write_session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
