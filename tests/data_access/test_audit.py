"""The audit table is append-only in the database; only ``wipe`` clears it, and logs that."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from data_access.audit import log_export
from data_access.db import read_session, wipe, write_session
from data_access.models import Audit, OrgUnit
from tests.conftest import BACKENDS

POSTGRES_ONLY = [b for b in BACKENDS if b == "postgresql"]  # make test starts PostgreSQL, so these run


def _one_row(engine) -> int:
    with write_session(engine) as s:
        return log_export(s, "li", "报表.xlsx", 3).id


@pytest.mark.parametrize(
    "statement",
    [
        lambda row_id: update(Audit).where(Audit.id == row_id).values(user_login="someone_else"),
        lambda row_id: delete(Audit).where(Audit.id == row_id),
        lambda row_id: delete(Audit),
    ],
    ids=["update", "delete_row", "delete_all"],
)
def test_audit_rows_cannot_be_changed_or_deleted(engine, statement):
    row_id = _one_row(engine)
    with pytest.raises(DBAPIError, match="append-only"), write_session(engine) as s:
        s.execute(statement(row_id))
    with read_session(engine) as s:
        assert s.execute(select(Audit.user_login, Audit.object)).all() == [("li", "报表.xlsx")]


@pytest.mark.parametrize("backend", POSTGRES_ONLY, indirect=True)
def test_audit_cannot_be_truncated_on_postgresql(engine, backend):  # TRUNCATE is PostgreSQL's
    _one_row(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit"))
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Audit)) == 1


@pytest.mark.parametrize("backend", POSTGRES_ONLY, indirect=True)
def test_public_has_no_update_delete_or_truncate_on_postgresql(engine, backend):  # privileges are PostgreSQL's
    with engine.connect() as conn:
        granted = conn.execute(text(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'audit' AND grantee = 'PUBLIC'"
        )).scalars().all()
    assert not {"UPDATE", "DELETE", "TRUNCATE"} & set(granted)


def test_wipe_clears_the_audit_logs_itself_and_restores_the_guard(engine):
    _one_row(engine)
    with write_session(engine) as s:
        s.add(OrgUnit(code="U", name="单位", level="unit", path="/1/", expected_members=0))
    wipe(engine, by="cli:tester", reason="python -m campaign demo --replace")
    with read_session(engine) as s:
        rows = s.execute(select(Audit.action, Audit.user_login, Audit.detail, Audit.row_count)).all()
        assert s.scalar(select(func.count()).select_from(OrgUnit)) == 0
    assert rows == [("wipe", "cli:tester", "python -m campaign demo --replace", 2)]
    with pytest.raises(DBAPIError, match="append-only"), write_session(engine) as s:
        s.execute(delete(Audit))
    with write_session(engine) as s:  # and the table still takes new rows
        s.add(Audit(at=datetime(2026, 11, 20), user_login="li", action="export", object="x"))
