"""用户管理 Users: the accounts, adding one, changing one (disable, reset, scope/role), importing many."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaign.errors import IngestError
from campaign.stages import ROLES
from campaign.timeutil import format_local
from campaign.userlist import passwords_bytes, template_bytes
from data_access.actions import users as acts
from ui import downloads, loaders_users
from ui.actions import perform_setup
from ui.frame import setup_frame
from ui.safe_text import md

DONE, PASSWORDS, PREVIEW = "users_done", "users_passwords", "users_preview"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ctx = setup_frame("users", roles=("admin",))
t = ctx.t
st.title(t("users.title"))
st.caption(t("users.caption"))


def role_name(role: str) -> str:
    return t(f"role.{role}")


def flash(message: str, password: str | None = None) -> None:
    """Keep what to say after the rerun (a generated password goes with it, once)."""
    st.session_state[DONE] = message
    if password:
        st.session_state[PASSWORDS] = password


if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")
if PASSWORDS in st.session_state:
    st.warning(t("users.generated_once", password=st.session_state.pop(PASSWORDS)), icon=":material/key:")

# --- the accounts -----------------------------------------------------------------------
table = loaders_users.users_table(ctx.user)
if table.empty:
    st.info(t("users.none"))
else:
    shown = pd.DataFrame({
        t("users.col_login"): table["login"],
        t("users.col_name"): table["display_name"],
        t("users.col_role"): [role_name(r) for r in table["role"]],
        t("users.col_scope"): [name or t("users.everything") for name in table["scope_name"]],
        t("users.col_scope_code"): table["scope_code"],
        t("users.col_active"): table["active"].astype(bool),
        t("users.col_last_sign_in"): [format_local(v) if v is not None and not pd.isna(v) else "" for v in table["last_sign_in"]],
        t("users.col_locked"): [format_local(v) if v is not None else "" for v in table["locked_until"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="—")


def scope_picker(key: str, role: str) -> int | None | str:
    """Search the tree by name or code, then choose; returns an org id, None (everything, for
    administrators) or "" while nothing is chosen."""
    search = st.text_input(t("users.search"), key=f"{key}_search")
    choices = loaders_users.scope_choices(ctx.user, search)
    labels = {"*": t("users.everything")} if role == "admin" and ctx.user.scope.is_everything else {}
    labels |= {str(r.id): f"{r.name}（{r.code} · {r.level_name or r.level}）" for r in choices.itertuples()}
    chosen = st.selectbox(t("users.scope"), list(labels), index=None, placeholder=t("common.choose"), key=f"{key}_scope", format_func=labels.__getitem__)
    if chosen is None:
        return ""
    return None if chosen == "*" else int(chosen)


add_tab, change_tab, import_tab = st.tabs([t("users.tab_add"), t("users.tab_change"), t("users.tab_import")])

# --- add one ----------------------------------------------------------------------------
with add_tab:
    login = st.text_input(t("users.col_login"), key="add_login", max_chars=64)
    name = st.text_input(t("users.col_name"), key="add_name", max_chars=64)
    role = st.selectbox(t("users.col_role"), list(ROLES), format_func=role_name, key="add_role", index=ROLES.index("unit"))
    scope = scope_picker("add", role)
    password = st.text_input(t("users.password_optional"), type="password", key="add_password")
    if st.button(t("users.add"), type="primary", key="add_go", disabled=scope == ""):
        done = perform_setup(ctx, acts.add_user, login, name, role, scope, password or None)
        if done is not None:
            flash(t("users.added", login=done.login), done.generated_password)
            st.rerun()

# --- change one -------------------------------------------------------------------------
with change_tab:
    logins = table["login"].tolist() if not table.empty else []
    target = st.selectbox(t("users.pick_user"), logins, index=None, placeholder=t("common.choose"), key="change_login")
    if target is not None:
        row = table[table["login"] == target].iloc[0]
        st.caption(f"{md(row['display_name'])} · {role_name(row['role'])} · {md(row['scope_name'] or t('users.everything'))}")
        with st.container(horizontal=True):
            if row["active"]:
                if st.button(t("users.disable"), key="change_disable"):
                    done = perform_setup(ctx, acts.set_active, target, False)
                    if done is not None:
                        flash(t("users.done", login=done.login, detail=done.detail))
                        st.rerun()
            elif st.button(t("users.enable"), key="change_enable"):
                done = perform_setup(ctx, acts.set_active, target, True)
                if done is not None:
                    flash(t("users.done", login=done.login, detail=done.detail))
                    st.rerun()
            if st.button(t("users.end_sessions"), key="change_end_sessions"):
                done = perform_setup(ctx, acts.end_sessions, target)
                if done is not None:
                    flash(t("users.done", login=done.login, detail=done.detail))
                    st.rerun()
        new_password = st.text_input(t("users.new_password_optional"), type="password", key="change_password")
        if st.button(t("users.reset"), key="change_reset"):
            done = perform_setup(ctx, acts.reset_password, target, new_password or None)
            if done is not None:
                flash(t("users.done", login=done.login, detail=done.detail), done.generated_password)
                st.rerun()
        st.divider()
        new_role = st.selectbox(t("users.col_role"), list(ROLES), format_func=role_name, key="change_role",
                                index=ROLES.index(row["role"]))
        new_scope = scope_picker("change", new_role)
        if st.button(t("users.save_scope"), key="change_scope_go", disabled=new_scope == ""):
            done = perform_setup(ctx, acts.set_scope, target, new_scope, new_role)
            if done is not None:
                flash(t("users.done", login=done.login, detail=done.detail) if done.changed else t("users.unchanged"))
                st.rerun()

# --- import many ------------------------------------------------------------------------
with import_tab:
    downloads.button(
        t("users.template"), lambda: (template_bytes(ctx.lang), 0), user=ctx.user, scope=ctx.user.scope,
        lang=ctx.lang, file_name="用户导入模板.xlsx", mime=XLSX, key="users_template", detail="users template",
    )
    upload = st.file_uploader(t("users.upload"), type=["xlsx", "xls", "csv"], key="users_file")
    if upload is None:
        st.session_state.pop(PREVIEW, None)
    else:
        data = upload.getvalue()
        go_preview, go_apply = st.columns(2)
        preview_clicked = go_preview.button(t("users.preview"), key="users_preview_go")
        apply_clicked = go_apply.button(t("users.apply"), type="primary", key="users_apply_go")
        if preview_clicked or apply_clicked:
            try:
                rows = loaders_users.read_users_file(data, upload.name)
            except IngestError as error:
                st.error(error.message(ctx.lang), icon=":material/block:")
                rows = None
            if rows is not None:
                result = perform_setup(ctx, acts.import_users, rows, not apply_clicked)
                if result is not None:
                    st.session_state[PREVIEW] = result
        result = st.session_state.get(PREVIEW)
        if result is not None:
            if result.written:
                st.success(t("users.imported", count=len(result.to_add)), icon=":material/check_circle:")
            elif result.nothing_new:
                st.info(t("users.nothing_new"))
            else:
                st.info(t("users.preview_counts", add=len(result.to_add), unchanged=len(result.unchanged), refused=len(result.refused)))
            if result.refused:
                st.error(t("users.refused_rows"))
                st.dataframe(pd.DataFrame({
                    t("users.col_row"): [r.sheet_row for r in result.refused],
                    t("users.col_login"): [r.login for r in result.refused],
                    t("users.col_reason"): [r.message(ctx.lang) for r in result.refused],
                }), hide_index=True, width="stretch", placeholder="—")
            if result.to_add and not result.written:
                st.dataframe(pd.DataFrame({
                    t("users.col_row"): [p.sheet_row for p in result.to_add],
                    t("users.col_login"): [p.login for p in result.to_add],
                    t("users.col_name"): [p.display_name for p in result.to_add],
                    t("users.col_role"): [role_name(p.role) for p in result.to_add],
                    t("users.col_scope_code"): [p.scope_code for p in result.to_add],
                }), hide_index=True, width="stretch", placeholder="—")
            if result.passwords:
                st.warning(t("users.passwords_note"), icon=":material/key:")
                st.dataframe(pd.DataFrame(list(result.passwords), columns=[
                    t("users.col_login"), t("users.col_name"), t("users.col_password"),
                ]), hide_index=True, width="stretch", placeholder="—")
                accounts = list(result.passwords)
                downloads.button(
                    t("users.passwords_download"), lambda: (passwords_bytes(accounts, ctx.lang), len(accounts)),
                    user=ctx.user, scope=ctx.user.scope, lang=ctx.lang, file_name="初始密码.xlsx", mime=XLSX,
                    key="users_passwords_download", detail=f"generated passwords of {len(accounts)} imported accounts",
                )
