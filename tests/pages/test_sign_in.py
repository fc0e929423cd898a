"""The sign-in gate (ui/frame.py): lock-out message, sign-out forgets the session, audit rows."""

from __future__ import annotations

from sqlalchemy import select

from data_access.db import get_engine, read_session
from data_access.models import Audit
from tests.pages.conftest import texts


def _attempt(at, login: str, password: str):
    at.text_input(key="sign_in_login").input(login)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def test_five_failures_lock_the_account_with_a_chinese_message_and_the_time(run_page):
    at = run_page("dashboard.py", login=None)
    for _ in range(4):
        at = _attempt(at, "liaison12", "wrong")
        assert "用户名或密码不正确" in texts(at)
    at = _attempt(at, "liaison12", "wrong")
    shown = texts(at)
    assert "已被锁定" in shown and "北京时间" in shown
    at = _attempt(at, "liaison12", "demo1234")  # the right password does not help now
    assert "已被锁定" in texts(at) and len(at.metric) == 0
    assert "user_login" not in at.session_state


def test_signing_in_and_out_is_audited_and_sign_out_clears_the_session(run_page, demo_sqlite_url):
    at = run_page("dashboard.py", login=None)
    at = _attempt(at, "liaison11", "demo1234")
    assert not at.exception
    assert at.session_state["user_login"] == "liaison11"
    at.session_state["some_page_state"] = "名单"
    at = at.button(key="sign_out").click().run()
    assert "user_login" not in at.session_state and "some_page_state" not in at.session_state
    assert "请登录" in texts(at)
    with read_session(get_engine(demo_sqlite_url)) as s:
        actions = s.execute(
            select(Audit.action).where(Audit.object == "liaison11").order_by(Audit.id)
        ).scalars().all()
    assert actions[-2:] == ["sign_in", "sign_out"]


def test_a_form_sign_in_opens_a_server_session_whose_token_only_this_session_holds(run_page, demo_sqlite_url):
    from data_access.models import UserSession
    from data_access.sessions import token_hash

    at = run_page("dashboard.py", login=None)
    at = _attempt(at, "liaison11", "demo1234")
    token = at.session_state["user_session_token"]
    with read_session(get_engine(demo_sqlite_url)) as s:
        row = s.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
        assert row is not None and row.revoked_at is None
    at = at.button(key="sign_out").click().run()
    with read_session(get_engine(demo_sqlite_url)) as s:
        assert s.scalar(select(UserSession.revoked_at).where(UserSession.token_hash == token_hash(token))) is not None
    assert "user_session_token" not in at.session_state


def test_the_sign_in_form_honours_lang_en_and_offers_the_switch(run_page):
    at = run_page("dashboard.py", login=None, query={"lang": "en"})
    assert "Member card campaign dashboard" in texts(at)
    assert at.segmented_control(key="lang").value == "en"
    at.segmented_control(key="lang").set_value("zh").run()
    assert "会员卡推进看板" in texts(at) and at.query_params["lang"] in ("zh", ["zh"])


def test_the_menu_offers_each_role_only_its_pages(run_page):
    """A unit clerk's menu has no review, batch, chase or setup pages; the pages' role lists
    agree with the actions' (the actions refuse anyway)."""
    from data_access.actions.batch import BATCH_ROLES
    from data_access.actions.review import REVIEWING_ROLES
    from ui.frame import PAGE_ROLES

    assert set(PAGE_ROLES["review"]) == set(REVIEWING_ROLES) and set(PAGE_ROLES["batches"]) == set(BATCH_ROLES)
    at = run_page("dashboard.py", login="unit1")
    links = {link.label for link in at.get("page_link")}
    assert {"名单校验与上传", "提交报送", "单位时间线"} <= links
    assert not links & {"审核", "银行批次", "今日催报", "人员信息更正", "用户管理", "组织架构", "操作日志", "活动设置"}
    leader = {link.label for link in run_page("dashboard.py", login="leader1").get("page_link")}
    assert {"审核", "银行批次", "今日催报", "人员信息更正"} <= leader
