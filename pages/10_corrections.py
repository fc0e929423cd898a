"""失败更正 Corrections: members the bank failed, with the bank's reason; the unit (or the
district) corrects name, ID number or phone, or withdraws the person; the member's path."""

from __future__ import annotations

import streamlit as st

from data_access.actions.corrections import CORRECT_ROLES, correct_member, withdraw_member
from ui import batch_views as views
from ui import components
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("corrections")
t = ctx.t
st.title(t("nav.corrections"))
st.caption(t("bankwf.corr_caption"))

DONE = "corrections_done"
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

failures = views.open_failures(ctx.scope, ctx.campaign_id)
if failures.empty:
    st.success(t("bankwf.corr_none"), icon=":material/thumb_up:")
    st.stop()

st.markdown(f"**{t('bankwf.corr_count', count=len(failures))}**")
shown = views.local_times(failures, "failed_at")
# The reason first after the name; on a phone one card per person, nothing cut off.
columns = ["name", "reason_text", "unit_name", "id_masked", "phone_masked", "failed_at", "batch_reference"]
components.responsive_table(
    shown[columns], key="corrections", title=["name"], fields=columns[1:],
    column_config={
        "name": st.column_config.TextColumn(t("bankwf.col_name"), pinned=True), "id_masked": t("bankwf.col_id"),
        "phone_masked": t("bankwf.col_phone"), "unit_name": t("bankwf.col_unit"),
        "reason_text": st.column_config.TextColumn(t("bankwf.col_bank_reason"), width="medium"),
        "failed_at": st.column_config.DatetimeColumn(t("bankwf.col_failed_at"), format="YYYY-MM-DD HH:mm"),
        "batch_reference": t("bankwf.col_batch"),
    },
    more_text=t("cards.more", shown=components.MAX_CARDS, total=len(shown)),
    hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 4, 420), placeholder="—",
)

labels = {
    int(r.member_id): f"{r.name} · {r.id_masked} · {r.unit_name} · {r.reason_text or ''}"
    for r in failures.itertuples()
}
member_id = st.selectbox(t("bankwf.corr_pick"), list(labels), format_func=labels.__getitem__, key="corr_member")

if ctx.user.role not in CORRECT_ROLES:
    st.caption(t("bankwf.corr_not_for_role"))
else:
    left, right = st.columns([3, 2])
    with left, st.form("correct", clear_on_submit=True):
        new_name = st.text_input(t("bankwf.corr_new_name"), max_chars=50, key="corr_name")
        new_id = st.text_input(t("bankwf.corr_new_id"), max_chars=30, key="corr_id")
        new_phone = st.text_input(t("bankwf.corr_new_phone"), max_chars=30, key="corr_phone")
        save = st.form_submit_button(t("bankwf.corr_submit"), type="primary", icon=":material/save:")
    if save and member_id is not None:
        done = perform(ctx, correct_member, int(member_id), name=new_name.strip() or None,
                       id_number=new_id.strip() or None, phone=new_phone.strip() or None)
        if done is not None:
            fields = "、".join(t(f"bankwf.field.{f}") for f in done.fields)
            st.session_state[DONE] = t("bankwf.corrected", fields=fields)
            st.rerun()
    with right, st.form("withdraw", clear_on_submit=True):
        reason = st.text_input(t("bankwf.withdraw_reason"), max_chars=200, key="withdraw_reason")
        withdraw = st.form_submit_button(t("bankwf.withdraw_submit"), icon=":material/person_remove:")
    if withdraw and member_id is not None:
        gone = perform(ctx, withdraw_member, int(member_id), reason=reason)
        if gone is not None:
            st.session_state[DONE] = t("bankwf.withdrawn")
            st.rerun()

if member_id is not None:
    with st.expander(t("bankwf.history"), icon=":material/history:"):
        history = views.member_history(ctx.scope, int(member_id))
        if history.empty:
            st.caption(t("bankwf.history_none"))
        else:
            steps = views.local_times(history, "at").assign(
                kind=[t(f"bankwf.event.{k}") if k in ("sent_to_bank", "produced", "failed", "corrected", "withdrawn") else k for k in history["kind"]]
            )
            st.dataframe(
                steps, hide_index=True, width="stretch",
                column_config={
                    "at": st.column_config.DatetimeColumn(t("bankwf.col_at"), format="YYYY-MM-DD HH:mm"),
                    "kind": t("bankwf.col_kind"), "by": t("bankwf.col_by"), "batch_reference": t("bankwf.col_batch"),
                    "reason": t("bankwf.col_reason"), "note": t("bankwf.col_note"),
                }, placeholder="—",
            )
