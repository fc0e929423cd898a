"""The audit log, read: who did what, when, on which object; filtered (user, action, Beijing-time
day range, unit), newest first, a page at a time with LIMIT/OFFSET in SQL and the count apart,
so a log of millions of rows reads as fast as its filters allow. Administrators only.

The writing side is ``data_access.audit`` (append-only: triggers on SQLite, privileges and
triggers on PostgreSQL). A unit filter matches the audit rows whose object or detail names the
unit: its code, its name, or ``unit=<id>`` / ``unit <id>`` as the actions write it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import xlsxwriter
from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from campaign.i18n import has, t
from campaign.masking import neutralise_cell
from campaign.timeutil import local_to_utc, utc_to_local
from data_access.actions.base import require_role
from data_access.auth import CurrentUser
from data_access.models import Audit, OrgUnit

AUDIT_ROLES = ("admin",)
COLUMNS = ["at", "user_login", "action", "object", "detail", "row_count"]
MAX_PAGE = 1_000
MAX_EXPORT = 100_000
MAX_UNIT_MATCHES = 20


@dataclass(frozen=True)
class AuditFilters:
    """What the page asks for: a user's login, an action code, a day range in Beijing time
    (both ends included), a unit's code or name (or any text the object or detail holds)."""

    login: str | None = None
    action: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    unit: str | None = None

    def label(self) -> str:
        """A short name of the filter for a file name: 2026-11-01_2026-11-20 admin export U17."""
        parts = [
            "_".join(d.isoformat() for d in (self.day_from, self.day_to) if d is not None),
            self.login or "", self.action or "", self.unit or "",
        ]
        return " ".join(part for part in parts if part)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mentions(text: str) -> ColumnElement[bool]:
    """SQL: the object or the detail holds the text."""
    pattern = f"%{_escape(text)}%"
    return or_(Audit.object.like(pattern, escape="\\"), Audit.detail.like(pattern, escape="\\"))


def _names_unit(session: Session, text: str) -> ColumnElement[bool]:
    """SQL: the row names a unit whose code or name equals the text (by code, name or id as the
    actions write them); a text no unit has is searched as it stands."""
    text = text.strip()
    units = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(or_(OrgUnit.code == text, OrgUnit.name == text)).limit(MAX_UNIT_MATCHES)
    ).all()
    conditions = [_mentions(text)]
    for unit_id, code, name in units:
        conditions += [_mentions(code), _mentions(name)]
        for shape in (f"unit={unit_id}", f"unit {unit_id}"):
            pattern = _escape(shape)
            for column in (Audit.object, Audit.detail):
                conditions += [column.like(f"%{pattern} %", escape="\\"), column.like(f"%{pattern}", escape="\\"),
                               column.like(f"%{pattern};%", escape="\\")]
    return or_(*conditions)


def _filtered(session: Session, query: Select, filters: AuditFilters) -> Select:  # type: ignore[type-arg]
    if filters.login:
        query = query.where(Audit.user_login == filters.login)
    if filters.action:
        query = query.where(Audit.action == filters.action)
    if filters.day_from is not None:
        query = query.where(Audit.at >= local_to_utc(datetime.combine(filters.day_from, datetime.min.time())))
    if filters.day_to is not None:
        query = query.where(Audit.at < local_to_utc(datetime.combine(filters.day_to + timedelta(days=1), datetime.min.time())))
    if filters.day_from is not None and filters.day_to is not None and filters.day_from > filters.day_to:
        query = query.where(false())
    if filters.unit and filters.unit.strip():
        query = query.where(_names_unit(session, filters.unit))
    return query


def audit_rows(session: Session, user: CurrentUser, filters: AuditFilters, limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """One page of the filtered rows, newest first; ``at`` in Beijing time (naive)."""
    require_role(user, AUDIT_ROLES)
    limit = max(1, min(int(limit), MAX_EXPORT))
    query = _filtered(
        session,
        select(Audit.at, Audit.user_login, Audit.action, Audit.object, Audit.detail, Audit.row_count),
        filters,
    ).order_by(Audit.at.desc(), Audit.id.desc()).limit(limit).offset(max(0, int(offset)))
    rows = [(utc_to_local(at), login, action, obj, detail, count) for at, login, action, obj, detail, count in session.execute(query)]
    return pd.DataFrame(rows, columns=COLUMNS)


def audit_count(session: Session, user: CurrentUser, filters: AuditFilters) -> int:
    """How many rows the filters hold."""
    require_role(user, AUDIT_ROLES)
    return int(session.scalar(_filtered(session, select(func.count()).select_from(Audit), filters)) or 0)


def audit_actions(session: Session, user: CurrentUser | None = None) -> list[str]:
    """The action codes the log holds, sorted (for the action filter)."""
    if user is not None:
        require_role(user, AUDIT_ROLES)
    return sorted(a for a in session.scalars(select(Audit.action).distinct()) if a)


def audit_logins(session: Session, user: CurrentUser) -> list[str]:
    """The logins the log names, sorted (for the user filter)."""
    require_role(user, AUDIT_ROLES)
    return sorted(a for a in session.scalars(select(Audit.user_login).distinct()) if a)


def action_label(code: str, lang: str = "zh") -> str:
    """The action's name from the catalogue (``auditlog.action.<code>``), else the code itself."""
    key = f"auditlog.action.{code}"
    return t(key, lang) if has(key) else code


def audit_workbook(session: Session, user: CurrentUser, filters: AuditFilters, lang: str = "zh") -> tuple[bytes, int]:
    """The filtered rows (at most ``MAX_EXPORT``, newest first) as an xlsx, every cell text
    (formulas defused); returns the bytes and the row count."""
    frame = audit_rows(session, user, filters, limit=MAX_EXPORT)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False, "constant_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    sheet = book.add_worksheet(t("auditlog.sheet", lang))
    titles = [t(f"auditlog.col_{c}", lang) for c in ("at", "user", "action", "object", "detail", "rows")]
    for col, (title, width) in enumerate(zip(titles, (19, 14, 16, 40, 60, 8), strict=True)):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        sheet.write_string(r, 0, row.at.strftime("%Y-%m-%d %H:%M:%S"))
        for col, value in ((1, row.user_login), (2, action_label(row.action, lang)), (3, row.object), (4, row.detail)):
            sheet.write_string(r, col, str(neutralise_cell(value or "")))
        if pd.notna(row.row_count):
            sheet.write_number(r, 5, int(row.row_count))
    book.close()
    return buffer.getvalue(), len(frame)


__all__ = [
    "AUDIT_ROLES", "AuditFilters", "action_label", "audit_actions", "audit_count", "audit_logins", "audit_rows",
    "audit_workbook",
]
