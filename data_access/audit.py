"""The audit trail: who exported, imported, signed in or wiped what, and when (``audit``).

The table is append-only in the database itself: triggers refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL), created by migration 0003. ``data_access.db.wipe`` is the only code
that clears it: it drops the triggers, deletes, recreates them and logs the wipe, in one
transaction. A batch migration that recreates ``audit`` on SQLite drops its triggers: such a
migration must call ``create_append_only_guard`` again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from campaign.timeutil import now_utc
from data_access.models import Audit

MAX_OBJECT = 255

# The live copy of the guard; migration 0003 holds its own frozen copy of the same SQL.
_SQLITE_GUARD = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
)
_SQLITE_UNGUARD = ("DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete")
_POSTGRES_GUARD = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'audit is append-only (' || TG_OP || ' refused)'; END $$",
    "CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM PUBLIC",
)
_POSTGRES_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_no_update_delete ON audit",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit",
)


def create_append_only_guard(connection: Connection) -> None:
    """Create the triggers that refuse UPDATE / DELETE (/ TRUNCATE) on ``audit``."""
    guard = _POSTGRES_GUARD if connection.dialect.name == "postgresql" else _SQLITE_GUARD
    for statement in guard:
        connection.exec_driver_sql(statement)


def drop_append_only_guard(connection: Connection) -> None:
    """Drop those triggers (only ``wipe`` does this, inside its transaction)."""
    unguard = _POSTGRES_UNGUARD if connection.dialect.name == "postgresql" else _SQLITE_UNGUARD
    for statement in unguard:
        connection.exec_driver_sql(statement)


def _log(session: Session, action: str, user_login: str | None, object: str, row_count: int | None, detail: str | None) -> Audit:
    row = Audit(
        at=now_utc(), user_login=user_login, action=action, object=object[:MAX_OBJECT],
        row_count=row_count, detail=detail,
    )
    session.add(row)
    session.flush()
    return row


def log_export(session: Session, user_login: str | None, object: str, row_count: int | None, detail: str | None = None) -> Audit:
    """Record an export (a download) in the caller's transaction."""
    return _log(session, "export", user_login, object, row_count, detail)


def log_import(session: Session, user_login: str | None, object: str, row_count: int | None, detail: str | None = None) -> Audit:
    """Record an import (an uploaded file read into the app) in the caller's transaction."""
    return _log(session, "import", user_login, object, row_count, detail)


def log_sign_in(session: Session, login: str, outcome: str, detail: str | None = None) -> Audit:
    """Record a sign-in attempt: outcome is ``sign_in``, ``sign_in_failed`` or ``sign_in_locked``.

    ``object`` holds the login as typed (an unknown login is recorded too); ``user_login`` is
    set only when the attempt succeeded.
    """
    return _log(session, outcome, login if outcome == "sign_in" else None, login, None, detail)


def log_sign_out(session: Session, login: str) -> Audit:
    """Record a sign-out."""
    return _log(session, "sign_out", login, login, None, None)


def log_wipe(session: Session, by: str | None, detail: str | None, rows: int) -> Audit:
    """Record that every table was emptied (written right after the wipe, in its transaction)."""
    return _log(session, "wipe", by, "database", rows, detail)


def log_refused_export(session: Session, user_login: str | None, object: str, detail: str | None = None) -> Audit:
    """Record a download refused at the click (account disabled, role or scope changed)."""
    return _log(session, "export_refused", user_login, object, None, detail)


def count_actions(session: Session, user_login: str, action: str, detail_prefix: str, since: datetime) -> int:
    """How many audit rows of one action (whose detail starts with a prefix) a user has since a time."""
    query = select(func.count()).select_from(Audit).where(
        Audit.user_login == user_login,
        Audit.action == action,
        Audit.detail.startswith(detail_prefix, autoescape=True),
        Audit.at >= since,
    )
    return int(session.scalar(query) or 0)
