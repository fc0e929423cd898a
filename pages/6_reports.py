"""导出报表 Reports: the progress workbook, the ranked bulletin (Excel and printable HTML), one
workbook per district or area in a zip, and any table as CSV; each built on click and logged."""

from __future__ import annotations

from functools import partial

import streamlit as st

from campaign.reports import progress_workbook as wb
from campaign.reports.bulletin import paragraph
from data_access import distribution
from data_access.reports import group_level
from ui import downloads, loaders
from ui import loaders_delivery as data
from ui.frame import page_frame
from ui.safe_text import md

ctx = page_frame("reports")
t = ctx.t
st.title(t("nav.reports"))
st.caption(t("dlv.caption", campaign=md(ctx.campaign_name), scope=md(ctx.scope_label), when=f"{ctx.as_of:%Y-%m-%d}"))
st.markdown(t("rpt.intro"))

with st.spinner(t("dlv.loading")):
    units = loaders.unit_progress(ctx.scope, ctx.campaign_id, ctx.cutoff)
if units.empty:
    st.info(t("rpt.empty"), icon=":material/info:")
    st.stop()

common = {"campaign_id": ctx.campaign_id, "campaign_name": ctx.campaign_name, "as_of": ctx.as_of, "cutoff": ctx.cutoff}
login, lang = ctx.user.login, ctx.lang
# Masked by default: full numbers only by an explicit choice of a role allowed them, logged
# with every export (the detail names full_pii=True).
full = ctx.user.sees_full_pii and st.toggle(t("rpt.full_pii"), value=False, key="rpt_full_pii", help=t("rpt.full_pii_help"))
download = partial(downloads.button, user=ctx.user, scope=ctx.scope, lang=lang, width="stretch")

left, right = st.columns(2)
with left:
    st.subheader(t("rpt.workbook"))
    st.caption(t("rpt.workbook_help"))
    name = downloads.export_name(t("rpt.file_workbook"), ctx.scope_label, ctx.as_of, "xlsx")
    build = partial(data.progress_workbook_bytes, ctx.scope, scope_label=ctx.scope_label, user_login=login, full_pii=full, lang=lang, **common)
    download(t("rpt.workbook"), build, detail=f"progress workbook scope={ctx.scope.cache_key()} full_pii={full}",
             file_name=name, mime=data.XLSX, type="primary", key="dl_workbook")

    st.subheader(t("rpt.split"))
    targets = data.split_targets(ctx.scope)
    offered = False
    for level in ("district", "area"):
        if len(targets[level]) < 2:
            continue
        offered = True
        stem = t("rpt.file_workbook")
        zip_name = downloads.export_name(t("rpt.file_split", level=t(f"level.{level}")), ctx.scope_label, ctx.as_of, "zip")
        build_zip = partial(data.split_zip_bytes, ctx.scope, level, user_login=login, full_pii=full, lang=lang, stem=stem,
                            **{k: v for k, v in common.items()})
        download(t(f"rpt.split_{level}"), build_zip, detail=f"split by {level} scope={ctx.scope.cache_key()} full_pii={full}",
                 file_name=zip_name, mime="application/zip", key=f"dl_split_{level}")
    if not offered:
        st.caption(t("rpt.split_none"))

with right:
    st.subheader(t("rpt.bulletin"))
    stem = t("rpt.file_bulletin")
    for kind, label, mime in (("xlsx", "rpt.bulletin_xlsx", data.XLSX), ("html", "rpt.bulletin_html", "text/html")):
        name = downloads.export_name(stem, ctx.scope_label, ctx.as_of, kind)
        build = partial(data.bulletin_bytes, ctx.scope, scope_label=ctx.scope_label, lang=lang, kind=kind, **common)
        download(t(label), build, detail=f"bulletin {kind} scope={ctx.scope.cache_key()}",
                 file_name=name, mime=mime, key=f"dl_bulletin_{kind}")

    st.subheader(t("rpt.csv"))
    tables = {
        "rpt.sheet_units": (lambda: units.assign(coverage=units["validated"] / units["expected_members"].where(units["expected_members"] > 0)), wb.UNITS),
        "rpt.sheet_late": (lambda: units[units["late"]], wb.LATE),
        "rpt.sheet_bank": (lambda: data.bank_rates(ctx.scope, ctx.campaign_id, ctx.cutoff, "unit"), wb.BANK),
        "rpt.sheet_batches": (lambda: data.bank_batches(ctx.scope, ctx.campaign_id, ctx.cutoff), wb.BATCHES),
        "rpt.sheet_failures": (lambda: data.open_failures(ctx.scope, ctx.campaign_id, ctx.cutoff, full), wb.FAILURES),
        "rpt.sheet_distribution": (lambda: distribution.unit_table(units), wb.DISTRIBUTION),
    }
    choice = st.selectbox(t("rpt.csv_pick"), list(tables), format_func=t, key="csv_table")
    make, columns = tables[choice]
    name = downloads.export_name(t(choice), ctx.scope_label, ctx.as_of, "csv")
    download(t("dlv.csv"), lambda: (wb.csv_bytes(frame := make(), columns, lang), len(frame)),
             detail=f"csv {choice} scope={ctx.scope.cache_key()} full_pii={full}", file_name=name, mime="text/csv", key="dl_csv")

st.subheader(t("rpt.preview"))
with st.spinner(t("dlv.loading")):
    preview = data.bulletin_preview(ctx.scope, ctx.campaign_id, ctx.campaign_name, ctx.scope_label, ctx.as_of, ctx.cutoff)
st.markdown(f"> {md(paragraph(preview, lang))}")
level = group_level(units)
groups = data.ranked_groups(preview)
st.dataframe(
    groups[["rank", "org_name", "units", "units_submitted", "submission_rate", "late_units", "coverage"]],
    hide_index=True, placeholder="—", width="stretch",
    column_config={
        "rank": t("dc.rank"), "org_name": t(f"level.{level}"), "units": t("dc.units"), "units_submitted": t("dc.units_submitted"),
        "submission_rate": st.column_config.ProgressColumn(t("dc.submission_rate"), format="percent", min_value=0, max_value=1),
        "late_units": t("dc.late_units"), "coverage": st.column_config.NumberColumn(t("dc.coverage"), format="percent"),
    },
)
