"""我的账号 My account: who I am (role, scope) and changing my own password."""

from __future__ import annotations

import streamlit as st

from data_access.actions.users import change_own_password
from ui import loaders
from ui.actions import perform_setup
from ui.frame import SESSION_VERSION, setup_frame
from ui.safe_text import md

DONE = "account_done"

ctx = setup_frame("account")
t = ctx.t
st.title(t("account.title"))
scope = loaders.scope_name(ctx.user.scope, ctx.lang)
st.markdown(t("account.who", login=md(ctx.user.login), name=md(ctx.user.display_name),
              role=t(f"role.{ctx.user.role}"), scope=md(scope)))

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

st.subheader(t("account.change"))
st.caption(t("account.rule"))
with st.form("own_password", width=420, clear_on_submit=True):
    old = st.text_input(t("account.old"), type="password", key="own_old")
    new = st.text_input(t("account.new"), type="password", key="own_new")
    again = st.text_input(t("account.again"), type="password", key="own_again")
    submitted = st.form_submit_button(t("account.save"), type="primary")
if submitted:
    if new != again:
        st.error(t("account.mismatch"), icon=":material/block:")
    else:
        done = perform_setup(ctx, change_own_password, old, new)
        if done is not None:
            # this session goes on with the new version; every other session of the account ends
            st.session_state[SESSION_VERSION] = done.session_version
            st.session_state[DONE] = t("account.changed")
            st.rerun()
