"""Cached loaders and the audited CSV export of the submissions and validation-errors pages.

Every loader takes the scope (and, where personal data could show, the masking choice) as
part of its cache key; nothing unmasked is cached.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from campaign.masking import neutralise_cell
from data_access import submissions, validation_stats
from data_access.auth import CurrentUser
from data_access.db import read_session
from data_access.scope import Scope
from ui import downloads, loaders
from ui.loaders import TTL, engine


@st.cache_data(ttl=TTL, show_spinner=False)
def submission_board(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Every unit in scope against its deadline, with extension, missing paper and last chase.

    The form filler's phone is the unit's work contact (liaisons must call it), not a
    member's personal data, so it is kept in full.
    """
    units = loaders.unit_progress(scope, campaign_id, cutoff)  # the overview's cached frame, shared
    with read_session(engine()) as session:
        return submissions.submission_board(session, scope, campaign_id, cutoff, units=units)


@st.cache_data(ttl=TTL, show_spinner=False)
def findings_by_code(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Findings raised and open per code."""
    with read_session(engine()) as session:
        return validation_stats.by_code(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def findings_by_unit(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Units with open findings, most open errors first."""
    with read_session(engine()) as session:
        return validation_stats.by_unit(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def findings_trend(scope: Scope, campaign_id: int, cutoff: datetime, code: str | None) -> pd.DataFrame:
    """Errors raised, closed and open per Shanghai day."""
    with read_session(engine()) as session:
        return validation_stats.daily_trend(session, scope, campaign_id, cutoff, "error", code)


@st.cache_data(ttl=TTL, show_spinner=False)
def yield_summary(scope: Scope, campaign_id: int, cutoff: datetime) -> validation_stats.YieldSummary:
    """First-pass yield and attempts until clean."""
    with read_session(engine()) as session:
        return validation_stats.yield_summary(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def unit_findings(
    scope: Scope, campaign_id: int, unit_id: int, cutoff: datetime, open_only: bool, mask: bool
) -> pd.DataFrame:
    """One unit's findings; ``mask`` (part of the key) masks IDs and phones in the text."""
    with read_session(engine()) as session:
        return validation_stats.unit_findings(
            session, scope, campaign_id, unit_id, cutoff, open_only=open_only, mask=mask
        )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese), formula-like text defused."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    return safe.to_csv(index=False).encode("utf-8-sig")


def csv_download(
    frame: pd.DataFrame, *, label: str, file_name: str, user: CurrentUser, scope: Scope, lang: str, detail: str, key: str
) -> None:
    """A download button for a table: the CSV is built on the click, after re-checking the
    user, and every file served writes its audit row (table ``audit``)."""
    downloads.button(
        label, lambda: (csv_bytes(frame), len(frame)), user=user, scope=scope, lang=lang,
        file_name=file_name, mime="text/csv", key=key, detail=detail,
    )
