"""The chase sheet's cached reader and its Excel download (built on click, audited).

The sheet holds unit contact phones (the unit's work contact, which liaisons call) and the
liaisons' own call notes, no member's personal data; it is cached per scope and cut-off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from campaign.reports import chase_sheet as sheet_text
from data_access import chase
from data_access.db import read_session
from data_access.scope import Scope
from ui import downloads, loaders_progress
from ui.loaders import TTL, engine

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What the page, its texts and the Excel sheet read of the sheet (``data_access.chase.SHEET_COLUMNS``
# less the sort keys and counts nobody draws, and less the reminder, written for the rows shown).
CACHED_COLUMNS = [
    c for c in chase.SHEET_COLUMNS
    if c not in ("code", "hours_left", "at_risk", "expected_members", "members_outstanding", "contacts_today", "chases", "reminder")
]


@st.cache_data(ttl=TTL, show_spinner=False)
def chase_sheet(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Every unit in scope to chase on the cut-off's day (``data_access.chase.chase_sheet``),
    built on the cached submissions board the submissions page also shows; without the
    reminder texts (a city has 38,000 units to chase): ``display_rows`` writes them for the
    rows on screen, the Excel download for all on the click."""
    board = loaders_progress.submission_board(scope, campaign_id, cutoff)
    with read_session(engine()) as session:
        sheet = chase.chase_sheet(session, scope, campaign_id, cutoff, board=board, reminders=False)
    return sheet[CACHED_COLUMNS]


@st.cache_data(ttl=TTL, show_spinner=False)
def chase_counts(scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    """(units to chase, of them contacted today): the submissions page's pointer to the chase
    page, from the same cached sheet (so the chase page opens warm)."""
    sheet = chase_sheet(scope, campaign_id, cutoff)
    return len(sheet), int(sheet["contacted_today"].sum()) if len(sheet) else 0


def display_rows(rows: pd.DataFrame, cutoff: datetime, lang: str, first: int = 1) -> pd.DataFrame:
    """Some rows of the cached sheet as the user reads them (``sheet_text.display_frame``), with
    their reminders; numbered from ``first`` (their place on the whole sheet)."""
    texts = sheet_text.display_frame(chase.with_reminders(rows, cutoff), cutoff, lang)
    return texts.assign(no=range(first, first + len(texts)))


def workbook_button(ctx: Any, sheet: pd.DataFrame, label: str, key: str) -> None:
    """The Excel download of the sheet as shown: built, re-checked and audited on the click."""
    name = downloads.export_name(ctx.t("chase.file_name"), ctx.scope_label, ctx.as_of, "xlsx")

    def build() -> tuple[bytes, int]:
        body = sheet_text.chase_workbook(
            chase.with_reminders(sheet, ctx.cutoff), campaign_name=ctx.campaign_name, scope_label=ctx.scope_label, as_of=ctx.as_of,
            cutoff=ctx.cutoff, exported_by=ctx.user.display_name, lang=ctx.lang,
        )
        return body, len(sheet)

    downloads.button(
        label, build, user=ctx.user, scope=ctx.scope, lang=ctx.lang, file_name=name, mime=XLSX, key=key,
        detail=f"chase sheet campaign={ctx.campaign_id} scope={ctx.scope.cache_key()} rows={len(sheet)}",
    )
