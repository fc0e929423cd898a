"""User text shown through markdown or plotly is literal: a chase note holding a markdown image
or link and a unit named with markdown and HTML render as text (AppTest, copy of the demo DB)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
import streamlit as st
from sqlalchemy import select, update

from data_access.db import get_engine, read_session, write_session
from data_access.models import Chase, OrgUnit
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage
from ui.safe_text import md, plot_label

PAGE = "pages/14_chase.py"  # the liaison's chase sheet shows unit names and the last call note
NOTE = "![x](http://127.0.0.1:9/x.png) [click](http://evil)"
NAME = "**粗体**<b>x</b>"


@pytest.fixture
def hostile_demo(demo_sqlite_url, tmp_path, monkeypatch):
    """A private demo copy where the top unit of liaison1's chase list has a hostile name and note."""
    target = tmp_path / "demo-hostile.db"
    shutil.copy(demo_sqlite_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_subpage(PAGE, login="liaison1")
    unit_id = int(at.selectbox(key="chase_unit").value)
    engine = get_engine(url)
    with write_session(engine) as session:
        session.execute(update(OrgUnit).where(OrgUnit.id == unit_id).values(name=NAME))
        session.add(Chase(unit_id=unit_id, at=datetime(2026, 11, 20, 1, 0), by="**联络人**", channel="phone", note=NOTE))
    with read_session(engine) as session:
        assert session.scalar(select(OrgUnit.name).where(OrgUnit.id == unit_id)) == NAME
    engine.dispose()
    st.cache_data.clear()
    return url


def test_helpers_escape_markdown_and_html():
    assert "](" not in md(NOTE) and "![" not in md(NOTE)
    assert "<b>" not in md(NAME) and "**" not in md(NAME)
    assert plot_label(NAME) == "**粗体**&lt;b&gt;x&lt;/b&gt;"


def test_chase_note_and_unit_name_render_as_literal_text(hostile_demo):
    at = open_subpage(PAGE, login="liaison1")
    assert not at.exception
    shown = texts(at)
    assert md(NAME) in shown and md(NOTE) in shown and md("**联络人**") in shown
    assert NAME not in shown and NOTE not in shown and "](http" not in shown and "<b>" not in shown


def test_unit_name_in_overview_chart_is_not_html(hostile_demo):
    at = open_subpage("dashboard.py", login="liaison1")
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    labels = [label for spec in specs for trace in spec["data"] for label in (trace.get("y") or []) if isinstance(label, str)]
    assert plot_label(NAME) in labels
    assert NAME not in labels and not any("<b>" in label for label in labels)
