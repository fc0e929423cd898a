"""A write that waits on SQLite's lock past the busy timeout says "try again" in Chinese, and
writes nothing; SQLite files are created readable by their owner only."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from sqlalchemy import func, select

from campaign.timeutil import now_utc
from data_access.db import get_engine, make_engine, migrate, read_session, write_session
from data_access.errors import DatabaseBusy
from data_access.models import Chase, OrgUnit


def test_a_write_blocked_past_the_busy_timeout_raises_database_busy_and_writes_nothing(tmp_path):
    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    migrate(get_engine(url))
    with write_session(get_engine(url)) as s:
        s.add(OrgUnit(code="U", name="单位", level="unit", path="/1/", expected_members=0))
    impatient = make_engine(url, busy_timeout_ms=200)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        with pytest.raises(DatabaseBusy) as caught, write_session(impatient) as s:
            unit_id = s.scalars(select(OrgUnit.id)).one()
            s.add(Chase(unit_id=unit_id, at=now_utc(), by="李娜", channel="phone", note="催报"))
            s.flush()
    finally:
        holder.rollback()
        holder.close()
    assert "系统繁忙，请稍后再试" in caught.value.message("zh")
    assert str(caught.value) == caught.value.message("zh")
    assert "try again" in caught.value.message("en")
    assert "locked" not in str(caught.value)
    with read_session(impatient) as s:
        assert s.scalar(select(func.count()).select_from(Chase)) == 0
    with write_session(impatient) as s:  # the lock released, the same write goes through
        s.add(Chase(unit_id=1, at=now_utc(), by="李娜", channel="phone", note="催报"))
    impatient.dispose()


def test_other_operational_errors_are_not_called_busy(tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    engine = get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(OperationalError), write_session(engine) as s:
        s.execute(text("SELECT * FROM no_such_table"))


def test_the_sqlite_file_and_its_wal_are_created_0600(tmp_path):
    path = tmp_path / "private.db"
    engine = get_engine(f"sqlite:///{path}")
    migrate(engine)
    with write_session(engine) as s:
        s.add(OrgUnit(code="U", name="单位", level="unit", path="/1/", expected_members=0))
    for name in ("private.db", "private.db-wal"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
