"""银行批次 Bank batches: members ready for the bank, making a batch, the bank's file, and
importing the bank's results (upload, preview, confirm)."""

from __future__ import annotations

import hashlib

import streamlit as st

from data_access.actions.batch import BATCH_ROLES, create_batch
from data_access.actions.results import SHOWN_REFUSALS, import_results
from ui import batch_views as views
from ui import components, loaders
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("batches")
t = ctx.t
st.title(t("nav.batches"))
st.caption(f"{ctx.campaign_name} · {ctx.scope_label}")
if ctx.user.role not in BATCH_ROLES:
    st.info(t("bankwf.role_only"), icon=":material/lock:")
    st.stop()

DONE = "batches_done"
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

# --- ready members ----------------------------------------------------------------------
st.subheader(t("bankwf.ready_title"))
ready = views.ready_by_unit(ctx.scope, ctx.campaign_id)
if ready.empty:
    st.info(t("bankwf.ready_none"), icon=":material/hourglass_empty:")
else:
    st.caption(t("bankwf.ready_caption"))
    st.dataframe(
        ready[["unit_name", "card_unit_name", "ready", "corrected"]], hide_index=True, width="stretch",
        height=min(36 * (len(ready) + 1) + 4, 360),
        column_config={"unit_name": t("bankwf.col_unit"), "card_unit_name": t("bankwf.col_card_unit"),
                       "ready": t("bankwf.col_ready"), "corrected": t("bankwf.col_corrected")}, placeholder="—",
    )

    # --- make a batch -------------------------------------------------------------------
    st.subheader(t("bankwf.create_title"))
    orgs = loaders.org_options(ctx.user.scope)
    names = dict(zip(orgs["id"], orgs["name"], strict=True))
    districts = [int(d) for d in sorted(set(ready["district_id"].dropna()))]
    # the choice of how to select sits outside the form, so the matching fields appear at once
    how = st.radio(t("bankwf.create_by"), ["all", "area", "units"], format_func=lambda k: t(f"bankwf.by_{k}"), horizontal=True, key="batch_how")
    area_id: int | None = None
    unit_ids: list[int] = []
    with st.form("make_batch"):
        district_id = st.selectbox(t("bankwf.create_district"), districts, format_func=lambda i: names.get(i, str(i)), key="batch_district")
        if how == "area":
            areas = [int(a) for a in sorted(set(ready["area_id"].dropna()))]
            area_id = st.selectbox(t("bankwf.create_area"), areas, format_func=lambda i: names.get(i, str(i)), key="batch_area")
        elif how == "units":
            unit_names = dict(zip(ready["unit_id"], ready["unit_name"], strict=True))
            unit_ids = st.multiselect(t("bankwf.create_units"), list(unit_names), format_func=unit_names.__getitem__, placeholder=t("common.choose"), key="batch_units")
        branch = st.text_input(t("bankwf.create_branch"), max_chars=100, key="batch_branch")
        make = st.form_submit_button(t("bankwf.create_submit"), type="primary", icon=":material/outbox:")
    if make and district_id is not None:
        made = perform(
            ctx, create_batch, ctx.campaign_id, district_id=int(district_id), branch=branch,
            area_id=int(area_id) if how == "area" and area_id is not None else None,
            unit_ids=[int(u) for u in unit_ids] if how == "units" else None,
        )
        if made is not None:
            st.session_state[DONE] = t("bankwf.created", reference=made.reference, members=made.member_count, units=made.unit_count)
            st.session_state["batch_pick"] = made.batch_id  # the new batch is the one to work on next
            st.rerun()

# --- the batches ------------------------------------------------------------------------
st.subheader(t("bankwf.batches_title"))
batches = views.batch_list(ctx.scope, ctx.campaign_id)
if batches.empty:
    st.info(t("bankwf.batches_none"))
    st.stop()
shown = views.local_times(batches, "sent_at").assign(status=[t(f"bankwf.status.{s}") for s in batches["status"]])
st.dataframe(
    shown[["reference", "district_name", "branch", "sent_at", "member_count", "produced", "failed", "status"]],
    hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 4, 360),
    column_config={
        "reference": t("bankwf.col_reference"), "district_name": t("bankwf.col_district"), "branch": t("bankwf.col_branch"),
        "sent_at": st.column_config.DatetimeColumn(t("bankwf.col_sent"), format="YYYY-MM-DD HH:mm"),
        "member_count": t("bankwf.col_members"), "produced": t("bankwf.col_produced"), "failed": t("bankwf.col_failed"),
        "status": t("bankwf.col_status"),
    }, placeholder="—",
)
references = dict(zip(batches["batch_id"], batches["reference"], strict=True))
batch_id = st.selectbox(t("bankwf.file_pick"), list(references), format_func=references.__getitem__, key="batch_pick")

left, right = st.columns(2)
with left:
    st.markdown(f"**{t('bankwf.file_title')}**")
    if ctx.user.sees_full_pii:
        st.caption(t("bankwf.file_note"))
        st.download_button(
            t("bankwf.file_button"), data=views.bank_file_download(ctx, int(batch_id)), file_name=f"{references[batch_id]}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
            key=f"bank_file_{batch_id}", on_click="ignore",
        )
    else:
        st.caption(t("bankwf.file_refused"))

with right:
    st.markdown(f"**{t('bankwf.import_title')}**")
    upload = st.file_uploader(t("bankwf.import_file"), type=["xlsx", "xls", "csv"], key=f"result_file_{batch_id}")
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        with st.spinner(t("bankwf.import_reading")):
            preview = views.preview(ctx, int(batch_id), data, upload.name)
        if preview is not None:
            if preview.already_imported:
                st.info(t("bankwf.already_imported"), icon=":material/info:")
            else:
                st.write(t("bankwf.preview_counts", lines=components.num(preview.lines), produced=preview.produced,
                           failed=preview.failed, unchanged=preview.unchanged, refused=len(preview.refused), missing=preview.missing))
                if preview.name_differs:
                    st.caption(t("bankwf.preview_names", count=preview.name_differs))
                if preview.refused:
                    st.error(t("bankwf.lines_refused", count=len(preview.refused), lines=preview.lines), icon=":material/block:")
                    table = preview.refused_frame(ctx.lang).head(SHOWN_REFUSALS)
                    st.dataframe(table, hide_index=True, width="stretch",
                                 column_config={"sheet_row": t("bankwf.col_row"), "id_masked": t("bankwf.col_id"), "reason": t("bankwf.col_reason")}, placeholder="—")
                    if len(preview.refused) > SHOWN_REFUSALS:
                        st.caption(t("bankwf.preview_more", count=len(preview.refused) - SHOWN_REFUSALS))
                elif st.button(t("bankwf.import_confirm"), type="primary", icon=":material/task_alt:", key=f"confirm_{digest[:16]}"):
                    with st.spinner(t("bankwf.import_reading")):
                        done = perform(ctx, import_results, int(batch_id), data, upload.name)
                    if done is not None:
                        message = t("bankwf.already_imported") if done.already_imported else t(
                            "bankwf.imported", reference=done.reference, produced=done.produced, failed=done.failed)
                        st.session_state[DONE] = message
                        st.rerun()
