"""The audit trail: who exported or imported what, and when (table ``audit``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
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
