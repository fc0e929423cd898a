"""人员信息更正 Corrections to people: find a member in the scope, see the person's history,
correct name / ID / mobile, move to another unit, or withdraw one who left, each with a reason."""

from __future__ import annotations

import streamlit as st

from campaign.i18n import has
from campaign.timeutil import utc_to_local
from data_access.actions.people import PEOPLE_ROLES, correct_member, move_member, withdraw_member
from ui import people_views as views
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("people")
t = ctx.t
st.title(t("nav.people"))
if ctx.user.role not in PEOPLE_ROLES:
    st.info(t("people.not_for_role"), icon=":material/lock:")
    st.stop()
st.caption(t("people.caption"))

DONE = "people_done"
if DONE in st.session_state:
    message, warnings = st.session_state.pop(DONE)
    st.success(message, icon=":material/check_circle:")
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")

text = st.text_input(t("people.search"), placeholder=t("people.search_help"), max_chars=40, key="people_q", bind="query-params")
if not text.strip():
    st.stop()
found = views.find_members(ctx, text)
if found.empty:
    st.info(t("people.none_found") if len(text.strip()) >= 2 else t("people.search_short"), icon=":material/search_off:")
    st.stop()
st.markdown(f"**{t('people.found', count=len(found))}**")
if len(found) >= 50:
    st.caption(t("people.found_more", count=len(found)))
shown = found.assign(stage=[t(f"stage.{s}") if has(f"stage.{s}") else s for s in found["stage"]])
st.dataframe(
    shown[["name", "id_number", "phone", "unit_name", "stage"]], hide_index=True, width="stretch",
    height=min(36 * (len(shown) + 1) + 4, 320),
    column_config={
        "name": t("people.col_name"), "id_number": t("people.col_id"), "phone": t("people.col_phone"),
        "unit_name": t("people.col_unit"), "stage": t("people.col_stage"),
    }, placeholder="—",
)
labels = {int(r.member_id): f"{r.name} · {r.id_number} · {r.unit_name}" for r in found.itertuples()}
member_id = st.selectbox(t("people.pick"), list(labels), format_func=labels.__getitem__, key="people_member")
if member_id is None:
    st.stop()
member_id = int(member_id)
unit_of = dict(zip(found["member_id"].astype(int), found["unit_id"].astype(int), strict=True))


def _done(message: str, warnings: tuple[str, ...] = ()) -> None:
    st.session_state[DONE] = (message, warnings)
    st.session_state.pop("people_member", None)
    st.rerun()


correct_tab, move_tab, withdraw_tab = st.tabs([t("people.tab_correct"), t("people.tab_move"), t("people.tab_withdraw")])
with correct_tab, st.form("people_correct", clear_on_submit=True):
    new_name = st.text_input(t("people.new_name"), max_chars=50)
    new_id = st.text_input(t("people.new_id"), max_chars=30)
    new_phone = st.text_input(t("people.new_phone"), max_chars=30)
    why = st.text_input(t("people.reason"), max_chars=200)
    save = st.form_submit_button(t("people.correct_submit"), type="primary", icon=":material/save:")
if save:
    changed = perform(ctx, correct_member, ctx.campaign_id, member_id, name=new_name or None, id_number=new_id or None,
                      phone=new_phone or None, reason=why)
    if changed is not None:
        _done(t("people.done_correct", fields="、".join(t(f"people.field.{f}") for f in changed.fields)), changed.warnings)

with move_tab:
    unit_text = st.text_input(t("people.unit_search"), max_chars=40, key="people_unit_q")
    units = views.target_units(ctx, unit_text)
    units = units[units["unit_id"] != unit_of.get(member_id)]
    if units.empty:
        st.caption(t("people.unit_none"))
    else:
        unit_labels = {int(r.unit_id): f"{r.name}（{r.code}）" for r in units.itertuples()}
        with st.form("people_move", clear_on_submit=True):
            to_unit = st.selectbox(t("people.unit_pick"), list(unit_labels), format_func=unit_labels.__getitem__)
            move_why = st.text_input(t("people.reason"), max_chars=200)
            move = st.form_submit_button(t("people.move_submit"), type="primary", icon=":material/move_down:")
        if move and to_unit is not None:
            moved = perform(ctx, move_member, ctx.campaign_id, member_id, int(to_unit), move_why)
            if moved is not None:
                _done(t("people.done_move", unit=unit_labels[int(to_unit)]))

with withdraw_tab, st.form("people_withdraw", clear_on_submit=True):
    st.caption(t("people.withdraw_help"))
    withdraw_why = st.text_input(t("people.reason"), max_chars=200)
    withdraw = st.form_submit_button(t("people.withdraw_submit"), icon=":material/person_remove:")
if withdraw:
    gone = perform(ctx, withdraw_member, ctx.campaign_id, member_id, withdraw_why)
    if gone is not None:
        _done(t("people.done_withdraw"))

st.subheader(t("people.history"))
history = views.person_history(ctx, member_id)
steps = history.assign(
    at=[utc_to_local(v) for v in history["at"]],
    kind=[t(f"people.event.{k}") if has(f"people.event.{k}") else k for k in history["kind"]],
    reason=[t(f"people.why.{r}") if r and has(f"people.why.{r}") else (r or "") for r in history["reason"]],
)
st.dataframe(
    steps[["at", "kind", "by", "unit_name", "reason", "note"]], hide_index=True, width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn(t("people.col_at"), format="YYYY-MM-DD HH:mm"),
        "kind": t("people.col_kind"), "by": t("people.col_by"), "unit_name": t("people.col_unit"),
        "reason": t("people.col_reason"), "note": t("people.col_note"),
    }, placeholder="—",
)
