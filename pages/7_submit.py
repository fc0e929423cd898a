"""提交报送 Submit: a unit's status, its current list, the unit form, the submit button, history."""

from __future__ import annotations

import streamlit as st

from campaign.timeutil import format_local
from data_access.actions.review import level_label
from data_access.actions.submit import SUBMITTING_ROLES, submit_list
from ui import components, loaders, review_views
from ui.actions import perform
from ui.frame import page_frame

DONE = "submit_done"

ctx = page_frame("submit")
t = ctx.t
st.title(t("nav.submit"))
st.caption(f"{ctx.campaign_name} · {ctx.scope_label}")

# --- which unit -------------------------------------------------------------------------
if ctx.user.role == "unit":
    unit_id = ctx.user.scope.root_id
else:
    unit_id = ctx.unit_id
    if unit_id is None:
        orgs = loaders.org_options(ctx.scope)
        units = orgs[orgs["level"] == "unit"]
        if units.empty:
            st.info(t("wfr.submit.no_units"))
            st.stop()
        names = dict(zip(units["id"].astype(int), units["name"], strict=True))
        unit_id = st.selectbox(t("wfr.submit.choose_unit"), list(names), format_func=names.__getitem__,
                               index=None, placeholder=t("wfr.submit.choose_unit_help"), key="submit_unit")
        if unit_id is None:
            st.info(t("wfr.submit.choose_unit_help"))
            st.stop()
state = review_views.unit_state(ctx.user.scope, ctx.campaign_id, int(unit_id)) if unit_id else None
if state is None:
    st.info(t("wfr.submit.no_units"))
    st.stop()
subs, decisions = review_views.unit_history(ctx.user.scope, ctx.campaign_id, state.unit_id)
st.subheader(state.unit_name)

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

# --- status -----------------------------------------------------------------------------
latest = subs.iloc[0] if not subs.empty else None
outcome = latest["outcome"] if latest is not None else None
if latest is None:
    st.info(t("wfr.submit.status_none"), icon=":material/pending:")
elif outcome == "pending":
    level = latest["review_level"] or (state.chain[0] if state.chain else "district")
    st.info(t("wfr.submit.status_pending", at=format_local(latest["submitted_at"]), n=int(latest["member_count"] or 0),
              level=level_label(level, ctx.lang)), icon=":material/hourglass_top:")
elif outcome == "returned":
    st.error(t("wfr.submit.status_returned", at=format_local(latest["reviewed_at"]), by=review_views.md_escape(latest["reviewer"] or ""),
               reason=review_views.md_escape(latest["return_reason"] or "")), icon=":material/undo:")
    st.caption(t("wfr.submit.status_returned_next"))
else:
    st.success(t("wfr.submit.status_approved", at=format_local(latest["reviewed_at"]), n=int(latest["member_count"] or 0)),
               icon=":material/verified:")

with st.container(horizontal=True, gap="medium"):
    st.metric(t("wfr.submit.list_count"), components.num(state.list_count), width=180)
    st.metric(t("wfr.submit.submitted_count"), components.num(state.submitted_count), width=180)
    st.metric(t("wfr.submit.deadline"), format_local(state.due_at) or "—", width=200)
    st.metric(t("wfr.submit.errors_open"), components.num(state.upload_errors), width=180)
st.caption(t("wfr.submit.chain", chain=" → ".join(level_label(level, ctx.lang) for level in state.chain)))

# --- the unit form and the submit button ------------------------------------------------
st.subheader(t("wfr.submit.form_title"))
st.markdown(t("wfr.submit.card_unit", name=review_views.md_escape(state.card_unit_name)))
may_submit = ctx.user.role in SUBMITTING_ROLES
open_to_submit = outcome not in ("pending", "approved")
filler = st.session_state.get("submit_filler", state.contact_name or "")
phone = st.session_state.get("submit_phone", state.contact_phone or "")
if not may_submit:
    st.caption(t("wfr.submit.not_allowed"))
elif not open_to_submit:
    st.caption(t("wfr.submit.cannot_now"))
else:
    with st.form("submit_form"):
        c1, c2 = st.columns(2)
        filler = c1.text_input(t("wfr.submit.filler"), value=state.contact_name or "", max_chars=50, key="submit_filler")
        phone = c2.text_input(t("wfr.submit.filler_phone"), value=state.contact_phone or "", max_chars=20, key="submit_phone")
        consents = st.checkbox(t("wfr.submit.consents"), key="submit_consents")
        pressed = st.form_submit_button(t("wfr.submit.button"), type="primary", icon=":material/send:")
    if pressed:
        result = perform(ctx, submit_list, state.unit_id, filler_name=filler, filler_phone=phone,
                         consents_confirmed=bool(consents), campaign_id=ctx.campaign_id)
        if result is not None:
            st.session_state[DONE] = result.message(ctx.lang)
            st.rerun()
review_views.unit_form_download(ctx, state.unit_id, state.unit_code, filler, phone, key="unit_form_download")

# --- history ----------------------------------------------------------------------------
st.subheader(t("wfr.submit.history"))
if subs.empty:
    st.caption(t("wfr.submit.history_empty"))
else:
    shown_subs, shown_decisions = review_views.history_tables(subs, decisions, t, ctx.lang)
    st.dataframe(shown_subs, hide_index=True, width="stretch", placeholder="—")
    if not shown_decisions.empty:
        st.dataframe(shown_decisions, hide_index=True, width="stretch", placeholder="—")
