"""The compact block of open bank failures for the intake page: how many members the bank
failed that wait for the unit's correction, with a link to the corrections page."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import batch_views


def show_open_failures(ctx: Any) -> int:
    """Draw the block when the user's scope has open failures; returns their count."""
    failures = batch_views.open_failures(ctx.user.scope, ctx.campaign_id)
    if failures.empty:
        return 0
    with st.container(border=True):
        st.warning(ctx.t("bankwf.intake_block", count=len(failures)), icon=":material/report:")
        shown = failures.head(5)[["name", "id_masked", "unit_name", "reason_text"]]
        st.dataframe(
            shown, hide_index=True, width="stretch",
            column_config={
                "name": ctx.t("bankwf.col_name"), "id_masked": ctx.t("bankwf.col_id"),
                "unit_name": ctx.t("bankwf.col_unit"), "reason_text": ctx.t("bankwf.col_bank_reason"),
            }, placeholder="—",
        )
        st.page_link("pages/10_corrections.py", label=ctx.t("bankwf.intake_link"), icon=":material/build:",
                     query_params=ctx.link_params or None)
    return len(failures)
