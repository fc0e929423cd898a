"""用户管理 and 我的账号 pages (AppTest), and sessions that end on the next interaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.actions import users as acts
from data_access.auth import sign_in
from data_access.db import get_engine, migrate, write_session
from tests.data_access.test_action_users import GOOD, OTHER, Org, build_org
from tests.pages.conftest import texts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Org:
    """A fresh SQLite database (no campaign yet) with the small tree, root and one clerk."""
    url = f"sqlite:///{tmp_path / 'users.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = get_engine(url)
    migrate(engine)
    org = build_org(engine)
    with write_session(engine) as session:
        acts.add_user(session, org.user("root"), "clerk1", "张会计", "unit", "U1", GOOD)
    st.cache_data.clear()
    st.cache_resource.clear()
    return org


@pytest.fixture
def open_page(org: Org) -> Callable[..., AppTest]:
    def run(page: str, login: str) -> AppTest:
        """The entry script first, then the page (as a user arrives), signed in through sign_in."""
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        signed = sign_in(org.engine, login, GOOD).user
        assert signed is not None
        at.session_state["user_login"] = login
        at.session_state["user_session_version"] = signed.session_version
        at.run()
        return at.switch_page(page).run()

    return run


def test_users_page_lists_and_adds_an_account(org: Org, open_page) -> None:  # type: ignore[no-untyped-def]
    at = open_page("pages/22_users.py", "root")
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["登录名"]) == ["clerk1", "root"] and list(shown["角色"]) == ["基层单位填表人", "系统管理员"]
    assert list(shown["管理范围"]) == ["甲公司工会", "全部（整个组织）"]
    at.text_input(key="add_login").input("clerk2")
    at.text_input(key="add_name").input("李会计")
    at.selectbox(key="add_role").select("unit")
    at = at.run()
    at.text_input(key="add_search").input("乙公司")
    at = at.run()
    at.selectbox(key="add_scope").select(str(org.ids["U2"]))
    at.text_input(key="add_password").input(OTHER)
    at = at.run()
    at = at.button(key="add_go").click().run()
    assert not at.exception
    assert "已添加用户 clerk2" in texts(at)
    assert sign_in(org.engine, "clerk2", OTHER).user is not None


def test_users_page_disables_and_refuses_the_last_administrator(org: Org, open_page) -> None:  # type: ignore[no-untyped-def]
    at = open_page("pages/22_users.py", "root")
    at.selectbox(key="change_login").select("clerk1")
    at = at.run()
    at = at.button(key="change_disable").click().run()
    assert "active: True → False" in texts(at)
    assert sign_in(org.engine, "clerk1", GOOD).user is None
    at.selectbox(key="change_login").select("root")
    at = at.run()
    at.selectbox(key="change_role").select("district_leader")
    at = at.run()
    at.selectbox(key="change_scope").select(str(org.ids["D1"]))
    at = at.run()
    at = at.button(key="change_scope_go").click().run()
    assert "最后一个全范围的系统管理员" in texts(at)


def test_users_page_is_for_administrators_only(open_page) -> None:  # type: ignore[no-untyped-def]
    at = open_page("pages/22_users.py", "clerk1")
    assert not at.exception
    assert "此页面仅供系统管理员使用" in texts(at) and not at.dataframe


def test_account_page_changes_the_own_password_and_keeps_this_session(org: Org, open_page) -> None:  # type: ignore[no-untyped-def]
    at = open_page("pages/24_account.py", "clerk1")
    assert "甲公司工会" in texts(at) and "基层单位填表人" in texts(at)
    at.text_input(key="own_old").input(GOOD)
    at.text_input(key="own_new").input("Brand-New-Pass-9")
    at.text_input(key="own_again").input("Brand-New-Pass-9x")
    at = at.get("form_submit_button")[0].click().run()
    assert "两次输入的新密码不一致" in texts(at)
    at.text_input(key="own_old").input(GOOD)
    at.text_input(key="own_new").input("Brand-New-Pass-9")
    at.text_input(key="own_again").input("Brand-New-Pass-9")
    at = at.get("form_submit_button")[0].click().run()
    assert "密码已修改" in texts(at) and "请登录" not in texts(at)
    assert sign_in(org.engine, "clerk1", "Brand-New-Pass-9").user is not None
    at = at.run()  # this session goes on
    assert "修改密码" in texts(at) and "请重新登录" not in texts(at)


@pytest.mark.parametrize("change", ["disable", "rescope", "reset", "elsewhere"])
def test_a_changed_account_ends_the_open_session_on_the_next_interaction(org: Org, open_page, change: str) -> None:  # type: ignore[no-untyped-def]
    at = open_page("pages/24_account.py", "clerk1")
    assert "修改密码" in texts(at)
    root = org.user("root")
    with write_session(org.engine) as session:
        if change == "disable":
            acts.set_active(session, root, "clerk1", False)
        elif change == "rescope":
            acts.set_scope(session, root, "clerk1", "U2")
        elif change == "reset":
            acts.reset_password(session, root, "clerk1", OTHER)
        else:
            acts.change_own_password(session, org.user("clerk1"), GOOD, OTHER)
    at = at.run()
    shown = texts(at)
    assert "您的账号信息已变更，请重新登录" in shown and "修改密码" not in shown
    assert "user_login" not in at.session_state
    if change != "disable":  # signing in again works, with the account as it is now
        at.text_input(key="sign_in_login").input("clerk1")
        at.text_input(key="sign_in_password").input(GOOD if change == "rescope" else OTHER)
        at = at.get("form_submit_button")[0].click().run()
        assert at.session_state["user_login"] == "clerk1" and "请重新登录" not in texts(at)
