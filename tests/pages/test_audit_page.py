"""The audit log page (AppTest): administrators only; rows newest first with Chinese action
names; filters narrow the count; no mobile number on the page."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/23_audit.py"
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def demo(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return demo_sqlite_url


def total(at: AppTest) -> int:
    return int(re.search(r"共 (\d+) 条", texts(at)).group(1))  # type: ignore[union-attr]


def test_other_roles_get_a_plain_note(demo: str) -> None:
    at = open_subpage(PAGE, "leader1")
    assert not at.exception
    assert not at.dataframe and not at.selectbox


def test_admin_reads_and_filters_the_log(demo: str) -> None:
    at = open_subpage(PAGE, "admin")
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert len(frame) > 0 and list(frame.columns) == ["at", "user_login", "action", "object", "detail", "row_count"]
    assert frame["at"].is_monotonic_decreasing
    assert not any(MOBILE.search(str(v)) for v in frame["detail"].fillna(""))
    everything = total(at)
    action = at.selectbox(key="audit_action")
    assert "审核" in action.options
    action.set_value("review").run()
    assert not at.exception
    reviews = total(at)
    assert 0 < reviews < everything
    assert set(at.dataframe[0].value["action"]) == {"审核"}
    assert at.get("download_button")
