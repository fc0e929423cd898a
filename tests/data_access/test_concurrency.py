"""Concurrent writers on SQLite neither lose updates nor fail with "database is locked"."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from data_access.db import get_engine, migrate, read_session, write_session
from data_access.models import OrgUnit

WRITERS = 8


def test_eight_concurrent_read_then_write_transactions_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrent.db'}"
    engine = get_engine(url)
    migrate(engine)
    with write_session(engine) as s:
        s.add(OrgUnit(code="U", name="单位", level="unit", path="/1/", expected_members=0))
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer() -> None:
        try:
            start.wait()
            with write_session(engine) as s:
                unit = s.scalars(select(OrgUnit)).one()
                seen = unit.expected_members
                time.sleep(0.02)  # widen the window between the read and the write
                unit.expected_members = seen + 1
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(engine) as s:
        assert s.scalars(select(OrgUnit.expected_members)).one() == WRITERS


def test_sqlite_connections_have_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
