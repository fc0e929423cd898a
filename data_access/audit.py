"""The audit trail: who exported or imported what, and when (table ``audit``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campaign.timeutil import now_utc
from data_access.models import Audit

MAX_OBJECT = 255


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
