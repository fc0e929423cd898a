"""The submissions page (AppTest, demo database): admin, a liaison, recording a chase."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access.db import get_engine, read_session
from data_access.models import Audit
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage
from ui import downloads, loaders_progress

PAGE = "pages/2_submissions.py"


@pytest.fixture
def page_env(run_page):
    """DATABASE_URL set to the shared demo database and caches cleared (by run_page)."""
    return run_page


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_admin_sees_every_unit_with_status_chart_chase_list_and_table(page_env):
    at = open_subpage(PAGE)
    assert not at.exception
    shown = texts(at)
    assert "报送进度" in shown and "催报清单" in shown and "单位明细" in shown
    assert 350 <= int(_metric(at, "单位数").replace(",", "")) <= 450
    table = at.dataframe[0].value
    assert {"单位", "截止时间", "状态", "首次报送时间", "提前/超时(小时)", "未改错误", "缺少纸质材料", "填表人", "联系电话"} <= set(table.columns)
    assert set(table["状态"]) <= {"未上传", "已上传有错误", "校验通过未报送", "已报送待审核", "被退回", "审核通过"}
    assert table["超期天数"].iloc[0] == table["超期天数"].max() > 0  # most overdue first
    assert "今日需催报" in shown  # the chase list itself is on the chase sheet page (今日催报)
    assert any(d.label == "下载表格（CSV）" for d in at.get("download_button"))


def test_a_liaison_sees_only_their_area(page_env):
    at = open_subpage(PAGE, login="liaison1")
    assert not at.exception
    table = at.dataframe[0].value
    assert "片区" not in table.columns  # one area only: the column would say the same thing on every row
    assert int(_metric(at, "单位数")) == len(table) < 60
    admin = open_subpage(PAGE).dataframe[0].value
    assert admin["片区"].nunique() > 1 and set(table["单位"]) < set(admin["单位"])
    assert "片区联络人" in texts(at)


def test_status_filter_narrows_the_table(page_env):
    at = open_subpage(PAGE)
    at.multiselect(key="status_filter").select("approved").run()
    assert not at.exception
    assert set(at.dataframe[0].value["状态"]) == {"审核通过"}


def test_a_unit_clerk_sees_no_chasing(page_env):
    at = open_subpage(PAGE, login="unit1")
    assert not at.exception
    assert "催报" not in texts(at)
    assert len(at.text_area) == 0


def test_english(page_env):
    at = open_subpage(PAGE, query={"lang": "en"})
    assert not at.exception
    assert "Chase list" in texts(at)
    assert "Status" in at.dataframe[0].value.columns


def test_export_is_offered_and_its_click_writes_an_audit_row(writable_demo):
    at = open_subpage(PAGE, query={"district": "保税区工会"})
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1
    proto = buttons[0].proto
    assert proto.label == "下载表格（CSV）"
    # AppTest cannot click a download button; run the very callback the button is wired to.
    table = at.dataframe[0].value
    downloads.log_download("admin", "报送进度-保税区工会-2026-11-29.csv", len(table), "test")
    with read_session(get_engine(writable_demo)) as session:
        rows = session.execute(select(Audit.user_login, Audit.action, Audit.object, Audit.row_count)).all()
    assert ("admin", "export", "报送进度-保税区工会-2026-11-29.csv", len(table)) in [tuple(r) for r in rows]


def test_csv_is_utf8_with_bom_and_defuses_formulas():
    import pandas as pd

    data = loaders_progress.csv_bytes(pd.DataFrame({"单位": ["=HYPERLINK(1)", "甲公司工会"], "人数": [1, 2]}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "甲公司工会" in text


def test_export_file_name():
    from datetime import date

    name = downloads.export_name("报送进度", "保税区工会", date(2026, 11, 20), "csv")
    assert name == "报送进度-保税区工会-2026-11-20.csv"
