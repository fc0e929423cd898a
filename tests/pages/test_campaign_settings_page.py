"""活动设置 page (AppTest) on its own small database: empty tree, create a campaign, edit it, set a
deadline, grant and revoke an extension; non-administrators are turned away."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.db import get_engine, migrate, read_session, write_session
from data_access.models import Audit, Campaign, Deadline, OrgUnit, User
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/20_campaign_settings.py"


def _org(session, code: str, name: str, level: str, parent: OrgUnit | None, **kw) -> OrgUnit:  # type: ignore[no-untyped-def]
    org = OrgUnit(code=code, name=name, level=level, path="", parent_id=parent.id if parent else None, **kw)
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


@pytest.fixture
def settings_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'settings.db'}"
    engine = get_engine(url)
    migrate(engine)
    with write_session(engine) as s:
        s.add(User(login="admin", display_name="管理员", password_hash="x", role="admin"))
        s.add(User(login="clerk", display_name="填表人", password_hash="x", role="unit"))
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return engine


def _tree(engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        city = _org(s, "C", "市总工会", "city", None)
        new_area = _org(s, "N", "滨海新区总工会", "new_area", city)
        d1 = _org(s, "D1", "保税区工会", "district", new_area)
        _org(s, "U1", "甲公司工会", "unit", d1, district_id=d1.id)
        _org(s, "U2", "乙公司工会", "unit", d1, district_id=d1.id)


def run(login: str = "admin") -> AppTest:
    return open_subpage(PAGE, login)


def test_empty_tree_says_import_it_first(settings_db) -> None:  # type: ignore[no-untyped-def]
    at = run()
    assert not at.exception
    assert "先导入组织架构" in texts(at)


def test_non_admin_is_turned_away(settings_db) -> None:  # type: ignore[no-untyped-def]
    _tree(settings_db)
    at = run("clerk")
    assert not at.exception
    assert "仅供系统管理员" in texts(at)
    assert not at.selectbox


def test_create_edit_deadline_extension(settings_db) -> None:  # type: ignore[no-untyped-def]
    _tree(settings_db)
    at = run()
    assert not at.exception
    assert at.selectbox(key="cs_campaign").value == 0  # no campaign yet: the new-campaign form
    at.text_input[0].input("2026年会员服务卡")
    at.date_input(key="cs_new_reference").set_value(date(2026, 9, 30))
    at.multiselect(key="cs_new_chain").set_value(["new_area", "district"])  # put in order by the page
    at.button[0].click().run()
    assert not at.exception, at.exception
    with read_session(settings_db) as s:
        campaign = s.scalars(select(Campaign)).one()
        assert (campaign.name, campaign.review_levels, campaign.reference_date) == ("2026年会员服务卡", "district,new_area", date(2026, 9, 30))
        cid = campaign.id
    assert at.selectbox(key="cs_campaign").value == cid
    assert "已创建活动" in texts(at)

    at.radio(key=f"cs_edit_{cid}_severity").set_value("error")
    at.button(key=f"FormSubmitter:cs_settings_{cid}-保存设置").click().run()
    assert not at.exception
    assert "已保存活动设置" in texts(at)

    at.selectbox(key="cs_dl_milestone").set_value("unit_submission")
    at.radio(key="cs_dl_applies").set_value("org").run()
    at.text_input(key="cs_dl_search").input("保税").run()
    at.selectbox(key="cs_dl_org").set_value("D1")
    at.date_input(key="cs_dl_day").set_value(date(2026, 10, 28))
    at.button(key="cs_dl_set").click().run()
    assert not at.exception
    assert "截止时间" in texts(at) and at.dataframe

    at.text_input(key="cs_ext_search").input("甲").run()
    at.selectbox(key="cs_ext_unit").set_value("U1")
    at.date_input(key="cs_ext_day").set_value(date(2026, 10, 31))
    at.text_input(key="cs_ext_reason").input("单位停电")
    at.button(key="cs_ext_grant").click().run()
    assert not at.exception
    assert "延期到" in texts(at)
    at.button(key="cs_rev_go").click().run()
    assert not at.exception
    with read_session(settings_db) as s:
        rows = s.scalars(select(Deadline).order_by(Deadline.id)).all()
        assert [(r.org_unit_id is not None, r.is_extension, r.due_at, r.superseded_at is not None) for r in rows] == [
            (True, False, datetime(2026, 10, 28, 4, 0), False),
            (True, True, datetime(2026, 10, 31, 4, 0), True),
        ]
        assert rows[1].set_by == "admin" and rows[1].note == "单位停电"
        actions = s.scalars(select(Audit.action).order_by(Audit.id)).all()
        assert s.get(Campaign, cid).shared_phone_severity == "error"
    assert [a for a in actions if a != "export"] == [
        "campaign_create", "campaign_update", "deadline_set", "extension_grant", "extension_revoke"]


def test_a_refusal_shows_in_chinese_and_writes_nothing(settings_db) -> None:  # type: ignore[no-untyped-def]
    _tree(settings_db)
    at = run()
    at.button[0].click().run()  # no name
    assert not at.exception
    assert "活动名称不能为空" in " ".join(str(e.value) for e in at.error)
    with read_session(settings_db) as s:
        assert s.scalars(select(Campaign)).all() == []
