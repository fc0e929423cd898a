"""Loaders and helpers of the bank-workflow pages (batches, corrections): cached tables keyed by
scope with no unmasked personal data, the bank file built on click, the result-file preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from campaign.errors import ActionRefused, IngestError
from campaign.timeutil import utc_to_local
from data_access.actions import batch as batch_actions
from data_access.actions import corrections
from data_access.actions.results import Preview, preview_results
from data_access.auth import load_user
from data_access.db import read_session, write_session
from data_access.scope import Scope
from ui.loaders import TTL, engine


@st.cache_data(ttl=TTL, show_spinner=False)
def ready_by_unit(scope: Scope, campaign_id: int) -> pd.DataFrame:
    """Ready members per unit (counts only)."""
    with read_session(engine()) as session:
        return batch_actions.ready_by_unit(session, scope, campaign_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def batch_list(scope: Scope, campaign_id: int) -> pd.DataFrame:
    """Batches with results so far and status (no personal data)."""
    with read_session(engine()) as session:
        return batch_actions.batch_list(session, scope, campaign_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def open_failures(scope: Scope, campaign_id: int) -> pd.DataFrame:
    """Open bank failures in the scope, ID and phone masked."""
    with read_session(engine()) as session:
        return corrections.open_failures(session, scope, campaign_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def member_history(scope: Scope, member_id: int) -> pd.DataFrame:
    """A member's path (notes hold masked values only)."""
    with read_session(engine()) as session:
        return corrections.member_history(session, scope, member_id)


def local_times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Naive-UTC columns shown in Asia/Shanghai."""
    out = frame.copy()
    for column in columns:
        out[column] = [utc_to_local(v) if pd.notna(v) else None for v in out[column]]
    return out


def bank_file_download(ctx: Any, batch_id: int) -> Callable[[], bytes]:
    """A callable for ``st.download_button(data=...)``: re-reads the user, builds the workbook
    and writes the audit row only when clicked; a role without full PII gets nothing."""

    def build() -> bytes:
        with read_session(ctx.engine) as session:
            user = load_user(session, ctx.user.login)
        if user is None:
            return b""
        try:
            with write_session(ctx.engine) as session:
                return batch_actions.batch_file(session, user, batch_id).data
        except ActionRefused:
            return b""

    return build


def preview(ctx: Any, batch_id: int, data: bytes, file_name: str) -> Preview | None:
    """The result file's preview as the signed-in user; a refusal is shown and gives None."""
    try:
        with read_session(ctx.engine) as session:
            user = load_user(session, ctx.user.login)
            if user is None:
                st.error(ctx.t("action.signed_out"), icon=":material/block:")
                return None
            return preview_results(session, user, batch_id, data, file_name)
    except (ActionRefused, IngestError) as refused:
        st.error(refused.message(ctx.lang), icon=":material/block:")
        return None
