"""单位时间线 A unit's timeline: uploads, submissions, reviews, paper, bank, cards, chases, hand-offs,
newest first, for the unit chosen in the sidebar or in the URL (``?unit=<id>``)."""

from __future__ import annotations

import streamlit as st

from data_access.chase import may_record
from ui import cards_views as views
from ui.frame import page_frame

ctx = page_frame("timeline")
t = ctx.t
st.title(t("nav.timeline"))

if ctx.unit_id is None:
    st.info(t("tl.choose_unit"), icon=":material/touch_app:")
    st.stop()

# Unit clerks never see the liaisons' internal contact notes.
frame = views.unit_timeline(ctx.scope, int(ctx.unit_id), ctx.lang, show_chases=may_record(ctx.user.role))
st.caption(t("tl.caption", scope=views.md_escape(ctx.scope_label), campaign=views.md_escape(ctx.campaign_name)))
if frame.empty:
    st.info(t("tl.empty"), icon=":material/history:")
    st.stop()

kinds = sorted(set(frame["what"]))
chosen = st.multiselect(t("tl.filter"), kinds, placeholder=t("tl.filter_all"), key="tl_kinds")
shown = frame[frame["what"].isin(chosen)] if chosen else frame
st.dataframe(
    shown.assign(at=[f"{v:%Y-%m-%d %H:%M}" for v in shown["at"]])[["at", "what", "who", "detail"]],
    hide_index=True, placeholder="—", width="stretch", height=min(700, 38 + 35 * len(shown)),
    column_config={"at": t("tl.col_at"), "what": t("tl.col_what"), "who": t("tl.col_who"), "detail": st.column_config.TextColumn(t("tl.col_detail"), width="large")},
)
st.caption(t("tl.count", n=len(shown)))
