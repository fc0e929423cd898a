"""The corrections page (AppTest): open failures masked, correcting a phone, the member's path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import texts
from tests.pages.delivery_helpers import open_page
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/10_corrections.py"


@pytest.fixture
def writable_demo(demo_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_sqlite_url.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    st.cache_data.clear()
    st.cache_resource.clear()
    return str(copy)


def failures_frame(at: AppTest):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if "id_masked" in d.value.columns)


def test_admin_sees_masked_open_failures(run_page) -> None:
    at = open_page(run_page, PAGE)
    assert not at.exception
    if "没有待更正的开卡失败会员" in texts(at):
        pytest.fail("the demo should hold open bank failures")
    frame = failures_frame(at)
    assert len(frame) > 0 and frame["id_masked"].str.contains(r"\*").all() and frame["phone_masked"].str.contains(r"\*").all()


def test_liaison_reads_but_cannot_correct(run_page) -> None:
    at = open_page(run_page, PAGE, login="liaison1")
    assert not at.exception
    shown = texts(at)
    assert "没有待更正的开卡失败会员" in shown or "联络人可查看失败名单" in shown


def test_admin_corrects_a_phone(writable_demo: str) -> None:
    at = open_subpage(PAGE, "admin")
    if "没有待更正的开卡失败会员" in texts(at):
        pytest.fail("the demo should hold open bank failures")
    before = len(failures_frame(at))
    at.text_input(key="corr_phone").input("139 1234 5678")
    next(b for b in at.button if b.label == "保存更正").click()
    at.run()
    assert not at.exception
    assert any("已更正：手机号码" in str(s.value) for s in at.success), texts(at)
    after = at.dataframe and [d.value for d in at.dataframe if "id_masked" in d.value.columns]
    assert not after or len(after[0]) == before - 1


def test_bad_id_is_refused_with_the_rule(writable_demo: str) -> None:
    at = open_subpage(PAGE, "admin")
    if "没有待更正的开卡失败会员" in texts(at):
        pytest.fail("the demo should hold open bank failures")
    at.text_input(key="corr_id").input("110105198001011230")
    next(b for b in at.button if b.label == "保存更正").click()
    at.run()
    assert any("校验位" in str(e.value) for e in at.error)
