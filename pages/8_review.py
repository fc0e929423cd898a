"""审核 Review: the queue oldest first, bulk approve, approve or return one unit, paper materials."""

from __future__ import annotations

import streamlit as st

from data_access.actions.materials import record_materials
from data_access.actions.review import MAX_NOTE, RETURN_REASONS, REVIEWING_ROLES, reason_label, review
from ui import loaders_progress, review_views
from ui.actions import perform
from ui.downloads import export_name
from ui.frame import page_frame

DONE = "review_done"

ctx = page_frame("review")
t = ctx.t
st.title(t("nav.review"))
st.caption(t("wfr.rev.caption") + f" {ctx.campaign_name} · {ctx.scope_label}")

if ctx.user.role not in REVIEWING_ROLES:
    st.info(t("wfr.rev.not_allowed"), icon=":material/lock:")
    st.stop()
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

level = review_views.deciding_level(ctx.user.login, ctx.user.scope)
everything = review_views.queue(ctx.scope, ctx.campaign_id, None)
queue = everything if level is None else everything[everything["review_level"] == level].reset_index(drop=True)
if queue.empty:
    st.info(t("wfr.rev.empty"), icon=":material/inbox:")
    if len(everything):
        st.caption(t("wfr.rev.others_waiting", n=len(everything)))
    st.stop()

# --- the queue, with bulk approve -------------------------------------------------------
st.subheader(t("wfr.rev.queue"))
table = review_views.queue_table(queue, t, ctx.lang)
table.insert(0, t("wfr.col.select"), False)
edited = st.data_editor(
    table, hide_index=True, width="stretch", key="review_queue",
    disabled=[column for column in table.columns if column != t("wfr.col.select")],
    column_config={
        t("wfr.col.select"): st.column_config.CheckboxColumn(t("wfr.col.select"), width="small"),
        t("tl.link"): st.column_config.LinkColumn(display_text=t("tl.link_text")),
    }, placeholder="—",
)
if len(everything) > len(queue):
    st.caption(t("wfr.rev.others_waiting", n=len(everything) - len(queue)))
selected = [int(queue["submission_id"].iloc[i]) for i, ticked in enumerate(edited[t("wfr.col.select")].tolist()) if ticked]
if selected:
    if st.button(t("wfr.rev.bulk_approve", n=len(selected)), type="primary", icon=":material/done_all:", key="bulk_approve"):
        result = perform(ctx, review, selected, "approved")
        if result is not None:
            st.session_state[DONE] = result.message(ctx.lang)
            st.rerun()
else:
    st.caption(t("wfr.rev.bulk_none"))
loaders_progress.csv_download(
    table.drop(columns=[t("wfr.col.select")]), label=t("wfr.rev.export"),
    file_name=export_name(t("wfr.rev.export_name"), ctx.scope_label, ctx.as_of, "csv"), user=ctx.user, scope=ctx.scope, lang=ctx.lang,
    detail=f"review queue campaign={ctx.campaign_id} scope={ctx.scope.cache_key()}", key="export_queue",
)

# --- one unit: approve / return, paper materials ----------------------------------------
st.subheader(t("wfr.rev.one"))
names = dict(zip(queue["submission_id"].astype(int), queue["unit_name"], strict=True))
chosen = st.selectbox(t("wfr.rev.choose"), list(names), format_func=names.__getitem__, key="review_one")
row = queue[queue["submission_id"] == chosen].iloc[0]
members = int(row["member_count"])
st.markdown(t(
    "wfr.rev.summary", card=review_views.md_escape(row["card_unit_name"]), filler=review_views.md_escape(row["filler_name"] or "—"),
    phone=review_views.md_escape(row["filler_phone"] or "—"), n=members,
    timing=review_views.row_timing(row, ctx.lang),
))
decide, paper = st.columns(2)
with decide, st.form("decide_one"):
    reason = st.selectbox(t("wfr.rev.reason"), RETURN_REASONS, format_func=lambda r: reason_label(r, ctx.lang), index=None, placeholder=t("common.choose"), key="return_reason")
    note = st.text_area(t("wfr.rev.note"), max_chars=MAX_NOTE, key="return_note")
    b1, b2 = st.columns(2)
    approve = b1.form_submit_button(t("wfr.rev.approve"), type="primary", icon=":material/check:")
    send_back = b2.form_submit_button(t("wfr.rev.return"), icon=":material/undo:")
if approve or send_back:
    result = perform(ctx, review, [int(chosen)], "approved" if approve else "returned", reason=reason, note=note)
    if result is not None:
        st.session_state[DONE] = result.message(ctx.lang)
        st.rerun()
with paper, st.form("paper_one"):
    st.markdown(f"**{t('wfr.rev.materials_title')}**")
    st.caption(t("wfr.rev.materials_help"))
    st.caption(review_views.md_escape(
        review_views.missing_text(tuple(row["missing"]), int(row["id_copies_missing"]), int(row["consents_missing"]), ctx.lang)
    ))
    sheet = st.checkbox(t("wfr.rev.sheet"), value=bool(row["paper_sheet"]), key=f"paper_sheet_{chosen}")
    unit_form = st.checkbox(t("wfr.rev.unit_form"), value=bool(row["paper_unit_form"]), key=f"paper_form_{chosen}")
    id_copies = st.number_input(t("wfr.rev.id_copies", n=2 * members), min_value=0, max_value=100_000, step=1,
                                value=int(row["id_copies_received"]), key=f"paper_ids_{chosen}")
    consents = st.number_input(t("wfr.rev.consents", n=members), min_value=0, max_value=100_000, step=1,
                               value=int(row["consents_received"]), key=f"paper_consents_{chosen}")
    save = st.form_submit_button(t("wfr.rev.save_materials"), icon=":material/inventory:")
if save:
    result = perform(ctx, record_materials, int(chosen), sheet=bool(sheet), unit_form=bool(unit_form),
                     id_copies=int(id_copies), consents=int(consents))
    if result is not None:
        st.session_state[DONE] = result.message(ctx.lang)
        st.rerun()
