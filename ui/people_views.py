"""Loaders of the people page (人员信息更正) and the audit log page (操作日志).

Searches and histories are per user and hold full data for the roles allowed to see it, so
they are never put in the shared ``st.cache_data``: each reads the database when the page
runs (a search is one indexed query). The audit log's page and count are read the same way
(administrators only, checked inside data_access); the export is built on click.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from data_access import audit_log
from data_access.actions import people
from data_access.auth import load_user
from data_access.db import read_session
from ui import downloads
from ui.loaders import engine


def _user(ctx: Any):  # type: ignore[no-untyped-def]
    """The signed-in user as the database has them now (None: disabled or gone)."""
    with read_session(engine()) as session:
        return load_user(session, ctx.user.login)


def find_members(ctx: Any, text: str) -> pd.DataFrame:
    """Live members in the user's scope matching the search (masked per role)."""
    user = _user(ctx)
    if user is None:
        return pd.DataFrame(columns=people.FOUND_COLUMNS)
    with read_session(engine()) as session:
        return people.find_members(session, user, ctx.campaign_id, text)


def person_history(ctx: Any, member_id: int) -> pd.DataFrame:
    """Every event of the person (all rows a correction or move made)."""
    user = _user(ctx)
    if user is None:
        return pd.DataFrame(columns=people.HISTORY_COLUMNS)
    with read_session(engine()) as session:
        return people.person_history(session, user, member_id)


def target_units(ctx: Any, text: str) -> pd.DataFrame:
    """Units in the user's scope a member may move to."""
    user = _user(ctx)
    if user is None:
        return pd.DataFrame(columns=["unit_id", "code", "name"])
    with read_session(engine()) as session:
        return people.target_units(session, user, text)


def audit_page(ctx: Any, filters: audit_log.AuditFilters, limit: int, offset: int) -> tuple[pd.DataFrame, int]:
    """One page of the filtered audit rows and how many there are in all."""
    user = _user(ctx)
    if user is None:
        return pd.DataFrame(columns=audit_log.COLUMNS), 0
    with read_session(engine()) as session:
        return audit_log.audit_rows(session, user, filters, limit, offset), audit_log.audit_count(session, user, filters)


def audit_choices(ctx: Any) -> tuple[list[str], list[str]]:
    """The logins and action codes the log holds (for the filters)."""
    user = _user(ctx)
    if user is None:
        return [], []
    with read_session(engine()) as session:
        return audit_log.audit_logins(session, user), audit_log.audit_actions(session, user)


def audit_export_button(ctx: Any, filters: audit_log.AuditFilters, file_name: str) -> None:
    """The Excel export of the filtered rows: built, checked and audited only on the click."""

    def build() -> tuple[bytes, int]:
        user = _user(ctx)
        if user is None:
            return b"", 0
        with read_session(engine()) as session:
            return audit_log.audit_workbook(session, user, filters, ctx.lang)

    downloads.button(
        ctx.t("auditlog.export"), build, user=ctx.user, scope=ctx.user.scope, lang=ctx.lang, file_name=file_name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="audit_export",
        detail=f"audit log {filters.label()}".strip(),
    )
    st.caption(ctx.t("auditlog.export_limit", count=audit_log.MAX_EXPORT))
