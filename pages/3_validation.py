"""校验错误 Validation errors: what the validation program finds, where, how fast it goes away."""

from __future__ import annotations

import streamlit as st

from ui import components, downloads, loaders_progress, progress_views
from ui.frame import page_frame
from ui.safe_text import md

TOP_UNITS = 20

ctx = page_frame("validation")
t = ctx.t
st.title(t("nav.validation"))
st.caption(f"{md(ctx.campaign_name)} · {md(ctx.scope_label)} · " + t("common.data_as_of", when=f"{ctx.as_of:%Y-%m-%d}"))
st.caption(t("val.caption"))

with st.spinner():
    codes = loaders_progress.findings_by_code(ctx.scope, ctx.campaign_id, ctx.cutoff)
    units = loaders_progress.findings_by_unit(ctx.scope, ctx.campaign_id, ctx.cutoff)
    yields = loaders_progress.yield_summary(ctx.scope, ctx.campaign_id, ctx.cutoff)

if yields.units_uploaded == 0:
    st.info(t("val.drill_none"), icon=":material/upload_file:")
    st.stop()

# --- headline ---------------------------------------------------------------------------
open_by_severity = codes.groupby("severity")["open"].sum() if not codes.empty else {}
mean = yields.mean_attempts
with st.container(horizontal=True, horizontal_alignment="distribute", gap="medium"):
    st.metric(t("val.open_errors"), components.num(int(open_by_severity.get("error", 0))), width=150)
    st.metric(t("val.open_warnings"), components.num(int(open_by_severity.get("warning", 0))), width=150, help=t("val.open_warnings_help"))
    st.metric(t("val.units_with_errors"), components.num(int((units["open_errors"] > 0).sum()) if not units.empty else 0), width=150)
    st.metric(t("val.first_pass_yield"), components.pct(yields.first_pass_yield), width=150,
              help=t("val.first_pass_help", clean=yields.clean_first_try, uploaded=yields.units_uploaded))
    st.metric(t("val.mean_attempts"), "—" if mean is None else f"{mean:.2f}", width=150)

# --- by code and attempts ---------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    st.subheader(t("val.by_code"))
    if codes.empty or int(codes["open"].sum()) == 0:
        st.success(t("val.by_code_empty"), icon=":material/check_circle:")
    else:
        components.plotly(progress_views.by_code_chart(codes, t), key="by_code")
with right:
    st.subheader(t("val.attempts"))
    components.plotly(progress_views.attempts_chart(yields.attempts, t), key="attempts")

# --- trend ------------------------------------------------------------------------------
st.subheader(t("val.trend"))
errors = codes[codes["severity"] == "error"] if not codes.empty else codes
error_codes = errors.sort_values("raised", ascending=False)["code"].drop_duplicates().tolist() if not errors.empty else []
code = st.selectbox(
    t("val.trend_code"), [None, *error_codes], key="trend_code",
    format_func=lambda c: t("val.trend_all") if c is None else progress_views.code_label(c, t),
)
with st.spinner():
    trend = loaders_progress.findings_trend(ctx.scope, ctx.campaign_id, ctx.cutoff, code)
if trend.empty:
    st.info(t("val.trend_empty"))
else:
    components.plotly(progress_views.trend_chart(trend, t), key="trend")

# --- units with the most open errors ----------------------------------------------------
st.subheader(t("val.top_units"))
if units.empty:
    st.success(t("val.top_units_empty"), icon=":material/check_circle:")
else:
    top = units.head(TOP_UNITS)
    st.dataframe(progress_views.units_table(top, t), column_config=progress_views.units_config(top, t),
                 hide_index=True, placeholder="—", width="stretch")
    loaders_progress.csv_download(
        progress_views.units_table(units, t),
        label=t("progress.export_csv"),
        file_name=downloads.export_name(t("val.export_name"), ctx.scope_label, ctx.as_of, "csv"),
        user=ctx.user,
    scope=ctx.scope,
    lang=ctx.lang,
        detail=f"validation units campaign={ctx.campaign_id} scope={ctx.scope.cache_key()}",
        key="export_validation",
    )

# --- drill into one unit ----------------------------------------------------------------
st.subheader(t("val.drill"))
if units.empty:
    st.caption(t("val.drill_empty"))
    st.stop()
names = dict(zip(units["unit_id"], units["unit_name"], strict=True))
c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
unit_id = c1.selectbox(t("val.drill_unit"), list(names), format_func=names.__getitem__, key="drill_unit")
include_closed = c2.toggle(t("val.drill_include_closed"), key="drill_closed")
mask = not ctx.user.sees_full_pii
with st.spinner():
    findings = loaders_progress.unit_findings(ctx.scope, ctx.campaign_id, int(unit_id), ctx.cutoff, not include_closed, mask)
if findings.empty:
    st.info(t("val.drill_empty"))
else:
    if mask:
        st.caption(t("val.drill_masked"))
    st.dataframe(progress_views.findings_table(findings, t), column_config=progress_views.findings_config(t),
                 hide_index=True, placeholder="—", width="stretch")
