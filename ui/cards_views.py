"""Readers and file builders of the card hand-out and unit timeline pages.

Reads that hold names or masked IDs of one unit are not cached (they are small and a tick
must show at once); the timeline is cached per scope (it holds no ID numbers). Files are built
when a download is clicked and audited (``ui.downloads.deferred``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from campaign.errors import ActionRefused, IngestError
from campaign.reports.handout_sheet import handout_workbook
from data_access import timeline
from data_access.actions import cards, handoff
from data_access.auth import CurrentUser, load_user
from data_access.db import read_session
from data_access.models import Campaign
from data_access.scope import Scope
from ui.downloads import deferred
from ui.frame import unit_link
from ui.loaders import TTL, engine


def preview(ctx: Any, act: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a dry-run import as the signed-in user in a read transaction; None when refused."""
    with read_session(ctx.engine) as session:
        user = load_user(session, ctx.user.login)
        if user is None:
            st.error(ctx.t("action.signed_out"), icon=":material/block:")
            return None
        try:
            return act(session, user, *args, **kwargs)
        except (ActionRefused, IngestError) as refused:
            st.error(refused.message(ctx.lang), icon=":material/block:")
            return None


def unit_cards(user: CurrentUser, campaign_id: int, unit_id: int, step: str) -> pd.DataFrame:
    """Cards of a unit ready for a step (masked)."""
    with read_session(engine()) as session:
        return cards.unit_cards(session, user, campaign_id, unit_id, step)


def activation_date(campaign_id: int) -> date | None:
    """The campaign's activation date."""
    with read_session(engine()) as session:
        campaign = session.get(Campaign, campaign_id)
        return campaign.activation_date if campaign is not None else None


def handout_download(user: CurrentUser, campaign_id: int, campaign_name: str, unit_id: int, unit_name: str, lang: str, name: str) -> Callable[[], bytes]:
    """The printable 发放签收表 of a unit, built on click and audited."""

    def build() -> tuple[bytes, int]:
        frame = unit_cards(user, campaign_id, unit_id, "delivered")
        rows = list(zip(frame["name"], frame["id_masked"], frame["card_masked"], strict=True))
        return handout_workbook(unit_name, campaign_name, rows, lang), len(rows)

    return deferred(build, user, user.scope, name, f"handout sheet campaign={campaign_id} unit={unit_id}")


def handoff_state(user: CurrentUser, campaign_id: int) -> tuple[handoff.HandoffStatus, pd.DataFrame]:
    """Cards waiting for a hand-off and the hand-offs so far."""
    with read_session(engine()) as session:
        return handoff.handoff_status(session, user, campaign_id), handoff.handoff_history(session, user, campaign_id)


def handoff_download(user: CurrentUser, handoff_id: int, kind: str, lang: str, name: str) -> Callable[[], bytes]:
    """A hand-off's xlsx or CSV, built on click and audited."""

    def build() -> tuple[bytes, int]:
        with read_session(engine()) as session:
            xlsx, csv, rows = handoff.handoff_file(session, user, handoff_id, lang)
        return (xlsx if kind == "xlsx" else csv), rows

    return deferred(build, user, user.scope, name, f"handoff file handoff={handoff_id} kind={kind} full_ids={user.sees_full_pii}")


@st.cache_data(ttl=TTL, show_spinner=False)
def unit_timeline(scope: Scope, unit_id: int, lang: str, show_chases: bool = True) -> pd.DataFrame:
    """A unit's timeline (empty outside the scope); ``show_chases`` (part of the cache key)
    False leaves out the liaisons' contact notes, for unit clerks."""
    with read_session(engine()) as session:
        return timeline.unit_timeline(session, scope, unit_id, lang, show_chases=show_chases)


def timeline_link(frame: pd.DataFrame, campaign_id: int, column: str = "unit_id") -> list[str]:
    """The URL of each unit's timeline page."""
    return [unit_link("timeline", int(u)) for u in frame[column]]


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def md_escape(text: object) -> str:
    """User text made inert for ``st.markdown`` / captions (no links, images, emphasis, HTML).

    >>> md_escape("![x](http://e.x)")
    '\\\\!\\\\[x\\\\]\\\\(http\\\\://e\\\\.x\\\\)'
    """
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))
