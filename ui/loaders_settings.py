"""Cached reads of the campaign settings page (administrators only: campaigns, levels, deadlines,
org search). Nothing here is scoped or personal: the page stops anyone but an administrator
before calling these, and the writes clear the cache (``ui.actions.perform``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.actions import campaigns as acts
from data_access.db import read_session
from ui.loaders import TTL, engine


@st.cache_data(ttl=TTL, show_spinner=False)
def tree_is_empty() -> bool:
    """Whether the organisation tree has no node yet."""
    with read_session(engine()) as session:
        return acts.tree_is_empty(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def campaign_table() -> pd.DataFrame:
    """Every campaign with its settings, newest first."""
    with read_session(engine()) as session:
        return acts.campaign_table(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def levels() -> pd.DataFrame:
    """The levels of the tree, top first."""
    with read_session(engine()) as session:
        return acts.level_table(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def deadline_table(campaign_id: int, superseded: bool = False) -> pd.DataFrame:
    """The campaign's deadlines in force (or the superseded history)."""
    with read_session(engine()) as session:
        return acts.deadline_table(session, campaign_id, superseded=superseded)


@st.cache_data(ttl=TTL, show_spinner=False)
def find_orgs(
    text: str, units_only: bool, root_code: str | None, limit: int = 50, kinds: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Live org nodes matching a name or code, under the campaign's root."""
    with read_session(engine()) as session:
        return acts.find_orgs(session, text, units_only=units_only, root_code=root_code, limit=limit, kinds=kinds)
