"""发卡进度 Card distribution: produced → collected by the district → handed to units → delivered →
activated; cards waiting at the district and for how long; reconciliation with the bank's list."""

from __future__ import annotations

import hashlib

import streamlit as st

from campaign.errors import IngestError
from campaign.reconcile import RECONCILE_PER_HOUR, row_cap
from campaign.reports.progress_workbook import DISTRIBUTION
from data_access.distribution import age_buckets, pipeline, unit_table, waiting_by_unit
from ui import components, downloads, loaders
from ui import delivery_views as views
from ui import loaders_delivery as data
from ui.frame import page_frame, unit_link
from ui.safe_text import md

ctx = page_frame("distribution")
t = ctx.t
st.title(t("nav.distribution"))
st.caption(t("dlv.caption", campaign=md(ctx.campaign_name), scope=md(ctx.scope_label), when=f"{ctx.as_of:%Y-%m-%d}"))

with st.spinner(t("dlv.loading")):
    units = loaders.unit_progress(ctx.scope, ctx.campaign_id, ctx.cutoff)
    waiting = data.waiting_cards(ctx.scope, ctx.campaign_id, ctx.cutoff)

pipe = pipeline(units)
steps = dict(zip(pipe["step"], pipe["cards"], strict=True))
if steps["produced"] == 0:
    st.info(t("dist.empty"), icon=":material/hourglass_empty:")
else:
    cols = st.columns(4)
    cols[0].metric(t("dc.produced"), components.num(steps["produced"]))
    cols[1].metric(t("dist.metric_waiting"), components.num(int(waiting["cards"].sum())))
    cols[2].metric(t("dc.delivered"), components.num(steps["delivered"]))
    cols[3].metric(t("dist.metric_rate"), components.pct(steps["delivered"] / steps["produced"]))

    left, right = st.columns(2)
    with left:
        st.subheader(t("dist.pipeline"))
        components.plotly(views.pipeline_chart(pipe, t), key="pipeline")
    with right:
        st.subheader(t("dist.ages"))
        components.plotly(views.age_chart(age_buckets(waiting), t), key="ages")

    by_unit = waiting_by_unit(waiting)
    if not by_unit.empty:
        st.subheader(t("dist.waiting_units"))
        st.dataframe(
            by_unit[["unit_name", "area_name", "district_name", "cards", "oldest_days"]].head(20),
            hide_index=True, placeholder="—", width="stretch",
            column_config={
                "unit_name": t("dc.unit"), "area_name": t("dc.area"), "district_name": t("dc.district"),
                "cards": t("dc.waiting"), "oldest_days": views.days_column(t("dc.oldest_days")),
            },
        )

    st.subheader(t("dist.units"))
    table = unit_table(units)
    table = table.assign(timeline=[unit_link("timeline", u) for u in table["unit_id"]])
    st.dataframe(
        table[["unit_name", "area_name", "produced", "received", "distributed", "delivered", "activated", "waiting_at_district", "distribution_rate", "timeline"]],
        hide_index=True, placeholder="—", width="stretch", height=400,
        column_config={
            "unit_name": t("dc.unit"), "area_name": t("dc.area"), "produced": t("dc.produced"), "received": t("dc.received"),
            "distributed": t("dc.distributed"), "delivered": t("dc.delivered"), "activated": t("dc.activated"),
            "waiting_at_district": t("dc.waiting"), "distribution_rate": views.pct_column(t("dc.distribution_rate")),
            "timeline": st.column_config.LinkColumn(t("tl.link"), display_text=t("tl.link_text")),
        },
    )
    name = downloads.export_name(t("rpt.sheet_distribution"), ctx.scope_label, ctx.as_of, "csv")
    downloads.button(t("dlv.csv"), data.csv_build(table, DISTRIBUTION, ctx.lang), user=ctx.user, scope=ctx.scope, lang=ctx.lang,
                     file_name=name, mime="text/csv", key="csv_distribution", detail=f"distribution per unit scope={ctx.scope.cache_key()}")

# --- reconciliation with the bank's issued-card list -------------------------------------
st.subheader(t("reconcile.title"))
st.caption(t("reconcile.help"))
st.caption(t("reconcile.limits", rows=components.num(row_cap(steps["produced"], ctx.user.sees_full_pii)), per_hour=RECONCILE_PER_HOUR))
upload = st.file_uploader(t("reconcile.upload"), type=["xlsx", "xls", "csv"], key="bank_list")
if upload is not None:
    content = upload.getvalue()
    # One attempt per file, scope and day: reruns of the page neither re-read nor re-log it.
    done_key = f"reconcile:{hashlib.sha256(content).hexdigest()}:{ctx.user.login}:{ctx.campaign_id}:{ctx.scope.cache_key()}:{ctx.as_of}"
    if done_key not in st.session_state:
        try:
            with st.spinner(t("dlv.loading")):
                st.session_state[done_key] = data.reconcile_upload(content, upload.name, ctx.user, ctx.scope, ctx.campaign_id, ctx.cutoff)
        except IngestError as refused:
            st.session_state[done_key] = refused
    outcome = st.session_state[done_key]
    if isinstance(outcome, IngestError):
        st.error(t("reconcile.rejected", reason=md(outcome.message(ctx.lang))), icon=":material/block:")
    else:
        result, rows = outcome
        counts = result.counts
        st.markdown(t("reconcile.summary", rows=rows, **counts))
        if counts["bank_only"] == 0 and counts["here_only"] == 0:
            st.success(t("reconcile.all_clear"), icon=":material/check_circle:")
        def _mask(frame):  # type: ignore[no-untyped-def]
            return data.mask_frame(frame, ctx.user.sees_full_pii)

        tabs = st.tabs([f"{t('reconcile.bank_only')} ({counts['bank_only']})", f"{t('reconcile.here_only')} ({counts['here_only']})",
                        f"{t('reconcile.matched')} ({counts['matched']})"])
        names = {"name": t("dc.name"), "id_number": t("dc.id_number"), "phone": t("dc.phone"), "unit_name": t("dc.unit"),
                 "card_tail": t("dc.card_tail"), "sheet_row": t("dc.sheet_row"), "bank_name": t("dc.bank_name"),
                 "matched_by": t("dc.matched_by"), "name_differs": t("dc.name_differs")}
        with tabs[0]:
            if result.bank_only_hidden:
                st.info(t("reconcile.bank_only_hidden", n=result.bank_only_hidden), icon=":material/visibility_off:")
            else:
                st.dataframe(_mask(result.bank_only)[["sheet_row", "name", "id_number", "card_tail"]], hide_index=True, placeholder="—", width="stretch", column_config=names)
        with tabs[1]:
            st.dataframe(_mask(result.here_only)[["unit_name", "name", "id_number", "phone", "card_tail"]], hide_index=True, placeholder="—", width="stretch", column_config=names)
        with tabs[2]:
            matched = _mask(result.matched).assign(matched_by=lambda f: f["matched_by"].map({"id": t("reconcile.by_id"), "name_card": t("reconcile.by_name_card")}))
            st.dataframe(matched[["unit_name", "name", "id_number", "card_tail", "bank_name", "matched_by", "name_differs"]],
                         hide_index=True, placeholder="—", width="stretch", column_config=names)
