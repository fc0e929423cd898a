"""银行制卡 Bank card production: success per batch / district / unit, why cards fail, the
correction loop and the failures still open."""

from __future__ import annotations

import streamlit as st

from campaign.reports.progress_workbook import BATCHES, FAILURES
from data_access import metrics
from data_access.distribution import age_bucket, age_buckets
from ui import components, downloads, loaders
from ui import delivery_views as views
from ui import loaders_delivery as data
from ui.frame import page_frame
from ui.safe_text import md

ctx = page_frame("bank")
t = ctx.t
st.title(t("nav.bank"))
st.caption(t("dlv.caption", campaign=md(ctx.campaign_name), scope=md(ctx.scope_label), when=f"{ctx.as_of:%Y-%m-%d}"))

with st.spinner(t("dlv.loading")):
    batches = data.bank_batches(ctx.scope, ctx.campaign_id, ctx.cutoff)
    received, produced = loaders.bank_results_received(ctx.scope, ctx.campaign_id, ctx.cutoff)  # not the unit frame
    people, people_produced = data.bank_people(ctx.scope, ctx.campaign_id, ctx.cutoff)
    loop = data.correction_loop(ctx.scope, ctx.campaign_id, ctx.cutoff)
    reasons = data.failure_reasons(ctx.scope, ctx.campaign_id, ctx.cutoff)

if received == 0:
    st.info(t("bk.empty"), icon=":material/hourglass_empty:")
    st.stop()

cols = st.columns(3) + st.columns(3)
cols[0].metric(t("bk.metric_results"), components.num(received), help=t("bk.metric_results_help"))
cols[1].metric(t("bk.metric_people"), components.num(people), help=t("bk.metric_people_help"))
cols[2].metric(t("bk.metric_produced"), components.num(people_produced))
cols[3].metric(t("metric.bank_success"), components.pct(metrics.bank_success_rate(received, produced)), help=t("bk.success_help"))
cols[4].metric(t("bk.metric_open"), components.num(loop.still_open))
cols[5].metric(t("bk.metric_recovery"), components.pct(loop.recovery_rate))

left, right = st.columns(2)
with left:
    st.subheader(t("bk.pareto"))
    if reasons.empty:
        st.info(t("bk.open_none"))
    else:
        components.plotly(views.pareto(reasons, ctx.lang, t), key="pareto")
with right:
    st.subheader(t("bk.loop"))
    components.plotly(views.loop_chart(loop, t), key="loop")
    st.caption(t("bk.loop_caption", failed=loop.failed, recovered=loop.recovered,
                 rate=components.pct(loop.recovery_rate), open=loop.still_open))

with st.spinner(t("dlv.loading")):
    failures = data.open_failures(ctx.scope, ctx.campaign_id, ctx.cutoff, ctx.user.sees_full_pii)

st.subheader(t("bk.open_list"))
if failures.empty:
    st.success(t("bk.open_none"), icon=":material/check_circle:")
else:
    ages = age_buckets(failures.assign(age_bucket=[age_bucket(d) for d in failures["days_open"]]))
    with st.expander(t("bk.open_age"), expanded=False):
        components.plotly(views.age_chart(ages, t, "dc.days_open"), key="open_ages")
    shown = data.local_times(failures, "first_failed_at").assign(
        reason=[views.reason_label(c, ctx.lang, t) for c in failures["reason_code"]],
        status=[t(f"bk.status_{s}") for s in failures["status"]],
    )
    if not ctx.user.sees_full_pii:
        st.caption(t("dlv.masked_note"))
    # Who and why first (the reason is the task); on a phone one card per person, nothing cut off.
    columns = ["name", "reason", "status", "days_open", "unit_name", "contact_name", "contact_phone", "id_number", "phone", "failures", "first_failed_at"]
    config = {
        "name": st.column_config.TextColumn(t("dc.name"), pinned=True), "id_number": t("dc.id_number"), "phone": t("dc.phone"),
        "unit_name": t("dc.unit"), "reason": st.column_config.TextColumn(t("dc.reason"), width="medium"), "status": t("dc.status"),
        "days_open": views.days_column(t("dc.days_open")), "failures": t("dc.failures"),
        "first_failed_at": views.time_column(t("dc.first_failed")), "contact_name": t("dc.contact"), "contact_phone": t("dc.contact_phone"),
    }
    components.responsive_table(
        shown[columns], key="bank_failures", title=["name"], fields=columns[1:], column_config=config,
        phone_fields=("contact_phone",), more_text=t("cards.more", shown=components.MAX_CARDS, total=len(shown)),
        hide_index=True, placeholder="—", width="stretch", height=360,
    )
    name = downloads.export_name(t("rpt.sheet_failures"), ctx.scope_label, ctx.as_of, "csv")
    downloads.button(t("dlv.csv"), data.csv_build(failures, FAILURES, ctx.lang), user=ctx.user, scope=ctx.scope, lang=ctx.lang,
                     file_name=name, mime="text/csv", key="csv_failures", detail=f"bank open failures scope={ctx.scope.cache_key()}")

st.subheader(t("bk.batches"))
shown = data.local_times(batches, "sent_at")
st.dataframe(
    shown[["reference", "district_name", "branch", "sent_at", "member_count", "results", "people", "produced", "failed", "success_rate", "failure_rate"]],
    hide_index=True, placeholder="—", width="stretch",
    column_config={
        "reference": t("dc.batch"), "district_name": t("dc.district"), "branch": t("dc.branch"),
        "sent_at": views.time_column(t("dc.sent_at")), "member_count": t("dc.batch_members"), "results": t("dc.results"), "people": t("dc.people"),
        "produced": t("dc.produced"), "failed": t("dc.failed"),
        "success_rate": views.pct_column(t("dc.success_rate")), "failure_rate": views.pct_column(t("dc.failure_rate")),
    },
)
name = downloads.export_name(t("rpt.sheet_batches"), ctx.scope_label, ctx.as_of, "csv")
downloads.button(t("dlv.csv"), data.csv_build(batches, BATCHES, ctx.lang), user=ctx.user, scope=ctx.scope, lang=ctx.lang,
                 file_name=name, mime="text/csv", key="csv_batches", detail=f"bank batches scope={ctx.scope.cache_key()}")

st.subheader(t("bk.by_group"))
for tab, level in zip(st.tabs([t("bk.tab_district"), t("bk.tab_area"), t("bk.tab_unit")]), ("district", "area", "unit"), strict=True):
    with tab:
        rates = data.bank_rates(ctx.scope, ctx.campaign_id, ctx.cutoff, level).sort_values("success_rate")
        st.dataframe(
            rates[["org_name", "results", "people", "produced", "failed", "success_rate", "failure_rate"]],
            hide_index=True, placeholder="—", width="stretch", height=min(36 * (len(rates) + 1) + 4, 420),
            column_config={
                "org_name": t(f"level.{level}"), "results": t("dc.results"), "people": t("dc.people"), "produced": t("dc.produced"), "failed": t("dc.failed"),
                "success_rate": views.pct_column(t("dc.success_rate")), "failure_rate": views.pct_column(t("dc.failure_rate")),
            },
        )
