"""总览 Overview: where the campaign stands, for district leaders."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from data_access import metrics
from ui import components, loaders
from ui.frame import page_frame

ctx = page_frame("overview")
st.title(ctx.t("nav.overview"))
st.caption(f"{ctx.campaign_name} · {ctx.scope_label} · " + ctx.t("common.data_as_of", when=f"{ctx.as_of:%Y-%m-%d}"))

with st.spinner():
    units = loaders.unit_progress(ctx.scope, ctx.campaign_id, ctx.cutoff)
    head = loaders.headline(ctx.scope, ctx.campaign_id, ctx.cutoff)

if units.empty:
    st.info(ctx.t("common.no_data"))
    st.stop()

cols = st.columns(6)
cols[0].metric(ctx.t("metric.units_submitted"), f"{head.units_submitted} / {head.units_expected}", components.pct(head.submission_rate), delta_color="off")
cols[1].metric(ctx.t("metric.on_time_rate"), components.pct(head.on_time_rate))
cols[2].metric(ctx.t("metric.members_validated"), components.num(head.members_validated), components.pct(head.coverage), delta_color="off")
cols[3].metric(ctx.t("metric.open_errors"), components.num(head.open_errors))
cols[4].metric(ctx.t("metric.bank_success"), components.pct(head.bank_success_rate))
cols[5].metric(ctx.t("metric.cards_delivered"), components.num(head.delivered))

left, right = st.columns([3, 2])
with left:
    st.subheader(ctx.t("overview.funnel"))
    funnel = metrics.funnel(units)
    fig = go.Figure(go.Funnel(y=[ctx.t(f"stage.{s}") for s in funnel["stage"]], x=funnel["members"], texttemplate="%{value:,}<br>%{percentInitial:.0%}", marker={"color": components.PALETTE[1]}))
    fig.update_layout(height=420)
    components.plotly(fig, key="funnel")
with right:
    st.subheader(ctx.t("overview.districts"))
    districts = metrics.rollup(units, "district")
    colours = [components.traffic_colour(v) for v in districts["submission_rate"]]
    fig = go.Figure(go.Bar(x=districts["submission_rate"] * 100, y=districts["org_name"], orientation="h", marker={"color": colours}, text=[components.pct(v) for v in districts["submission_rate"]], textposition="auto"))
    fig.update_layout(height=420, xaxis={"title": ctx.t("metric.units_submitted") + " %", "range": [0, 100]})
    components.plotly(fig, key="districts")
