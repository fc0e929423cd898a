"""组织架构 The organisation tree: template and export, upload → preview → apply, the tree by level."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from campaign.errors import IngestError
from campaign.orgtree import read_org_rows
from campaign.sheets.isolated import read_untrusted
from campaign.timeutil import today_local
from data_access.actions.org import apply_org_import
from data_access.scope import Scope
from ui import downloads, loaders_org
from ui.actions import perform
from ui.frame import setup_frame

PLAN = "org_plan"
DONE = "org_done"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ctx = setup_frame("org", roles=("admin",))
t = ctx.t
st.title(t("nav.org"))
st.caption(t("org.page_intro"))

with st.container(horizontal=True):
    downloads.button(
        t("org.download_template"), lambda: loaders_org.template_bytes(ctx.lang), user=ctx.user, scope=Scope.everything(),
        lang=ctx.lang, file_name=downloads.export_name(t("org.template_name"), "", today_local(), "xlsx"), mime=XLSX,
        key="org_template", detail="org_template",
    )
    downloads.button(
        t("org.download_tree"), lambda: loaders_org.export_bytes(ctx.user, ctx.lang), user=ctx.user, scope=Scope.everything(),
        lang=ctx.lang, file_name=downloads.export_name(t("org.file_name"), "", today_local(), "xlsx"), mime=XLSX,
        key="org_export", detail="org_tree",
    )

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")
if loaders_org.node_count() == 0:
    st.info(t("org.empty_state"), icon=":material/account_tree:")

upload = st.file_uploader(t("org.upload"), type=["xlsx", "xls", "csv"], key="org_upload")
if upload is not None:
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    held = st.session_state.get(PLAN)
    if held is None or held[0] != digest:
        with st.status(t("org.reading"), expanded=False) as status:
            try:
                rows = read_untrusted(read_org_rows, data, upload.name)
            except IngestError as error:
                status.update(state="error")
                st.error(error.message(ctx.lang), icon=":material/block:")
                st.stop()
            plan = loaders_org.preview(ctx.user, rows)
            downloads.log_file_read(ctx.user.login, upload.name, len(rows), "org_tree preview")
            status.update(state="complete")
        st.session_state[PLAN] = (digest, upload.name, plan)
    _, name, plan = st.session_state[PLAN]

    st.subheader(t("org.preview"))
    with st.container(horizontal=True, gap="medium"):
        st.metric(t("org.m_rows"), len(plan.rows), width=140)
        st.metric(t("org.m_added"), len(plan.added), width=140)
        st.metric(t("org.m_changed"), len(plan.changed_codes), width=140)
        st.metric(t("org.m_retired"), len(plan.retired), width=140)
        st.metric(t("org.m_refused"), len(plan.refused), width=140)
    if plan.refused:
        st.error(t("org.refused", count=len(plan.refused)), icon=":material/block:")
        st.caption(t("org.refused_note"))
        st.dataframe(
            pd.DataFrame([(r.sheet_row, r.code, r.message(ctx.lang)) for r in plan.refused],
                         columns=[t("org.col.row"), t("org.col.code"), t("org.col.reasons")]),
            hide_index=True, width="stretch", placeholder="—",
        )
    elif plan.is_noop:
        st.info(t("org.noop"), icon=":material/check:")
    else:
        tabs = st.tabs([t("org.tab_added"), t("org.tab_changed"), t("org.tab_retired")])
        columns = {"code": t("org.col.code"), "name": t("org.col.name"), "parent_code": t("org.col.parent_code"),
                   "level": t("org.col.level"), "expected_members": t("org.col.expected_members")}
        with tabs[0]:
            st.dataframe(pd.DataFrame([{k: getattr(n, k) for k in columns} for n in plan.added], columns=list(columns))
                         .rename(columns=columns), hide_index=True, width="stretch", placeholder="—")
        with tabs[1]:
            st.dataframe(pd.DataFrame([(c.code, t(f"org.col.{c.field}"), str(c.old), str(c.new)) for c in plan.changed],
                                      columns=[t("org.col.code"), t("org.col.field"), t("org.col.old"), t("org.col.new")]),
                         hide_index=True, width="stretch", placeholder="—")
        with tabs[2]:
            st.dataframe(pd.DataFrame([{k: getattr(n, k) for k in columns} for n in plan.retired], columns=list(columns))
                         .rename(columns=columns), hide_index=True, width="stretch", placeholder="—")
        if st.button(t("org.apply"), type="primary", key="org_apply"):
            result = perform(ctx, apply_org_import, plan, file_name=name)
            if result is not None:
                st.session_state.pop(PLAN, None)
                st.session_state[DONE] = t("org.noop") if result.noop else t("org.applied", counts=t("org.counts", **result.counts()))
                st.rerun()

tree = loaders_org.tree_frame()
if not tree.empty:
    live = tree[tree["retired_at"].isna()]
    st.subheader(t("org.tree"))
    per_level = (live.groupby(["rank", "level_name", "kind"], as_index=False).size().sort_values("rank")
                 .drop(columns=["rank"]))
    per_level["kind"] = per_level["kind"].map(lambda kind: t(f"org.kind.{kind}") if kind else "—")
    st.caption(t("org.per_level"))
    st.dataframe(per_level.rename(columns={"level_name": t("org.col.level"), "kind": t("org.col.kind"), "size": t("org.col.count")}),
                 hide_index=True, placeholder="—")
    depth = live["path"].str.count("/") - 2
    shown = live.assign(name=[("　" * max(0, int(d))) + str(n) for d, n in zip(depth, live["name"], strict=True)])
    st.dataframe(
        shown[["code", "name", "level_name", "card_unit_name", "contact_name", "expected_members"]].rename(columns={
            "code": t("org.col.code"), "name": t("org.col.name"), "level_name": t("org.col.level"),
            "card_unit_name": t("org.col.card_unit_name"), "contact_name": t("org.col.contact_name"),
            "expected_members": t("org.col.expected_members")}),
        hide_index=True, width="stretch", placeholder="—",
    )
