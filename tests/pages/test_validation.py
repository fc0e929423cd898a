"""The validation-errors page (AppTest, demo database): admin, a liaison, the drill-down."""

from __future__ import annotations

import re

from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/3_validation.py"


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_admin_sees_counts_yield_trend_and_top_units(run_page):
    at = open_subpage(PAGE)
    assert not at.exception
    shown = texts(at)
    for heading in ("校验错误", "各类问题数量（未解决）", "上传几次才校验通过", "每日新增与未解决错误", "未解决错误最多的单位", "查看单位的校验问题"):
        assert heading in shown
    assert int(_metric(at, "未解决错误").replace(",", "")) > 0
    assert re.fullmatch(r"\d+\.\d%", _metric(at, "一次校验通过率"))
    top = at.dataframe[0].value
    assert len(top) <= 20 and top["未解决错误"].is_monotonic_decreasing


def test_open_errors_match_the_overview(run_page):
    overview = run_page("dashboard.py")
    page = open_subpage(PAGE)
    assert _metric(page, "未解决错误") == _metric(overview, "未解决校验错误")


def test_a_liaison_sees_only_their_area_and_masked_findings(run_page):
    admin = open_subpage(PAGE)
    at = open_subpage(PAGE, login="liaison1")
    assert not at.exception
    assert at.dataframe[0].value["片区"].nunique() == 1
    assert int(_metric(at, "未解决错误")) < int(_metric(admin, "未解决错误").replace(",", ""))
    findings = at.dataframe[1].value
    assert {"行号", "列", "问题类型", "问题说明", "修改建议"} <= set(findings.columns)
    text = " ".join(str(v) for v in findings.to_numpy().ravel())
    assert not re.search(r"\d{17}[\dX]", text)
    assert "打码" in texts(at)


def test_drill_into_another_unit_and_include_resolved(run_page):
    at = open_subpage(PAGE)
    at.selectbox(key="drill_unit").select_index(1).run()
    assert not at.exception
    open_rows = len(at.dataframe[1].value)
    at.toggle(key="drill_closed").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe[1].value) >= open_rows


def test_trend_for_one_code(run_page):
    at = open_subpage(PAGE)
    codes = at.selectbox(key="trend_code")
    assert codes.options[0] == "全部错误"
    codes.select_index(1).run()
    assert not at.exception


def test_english(run_page):
    at = open_subpage(PAGE, query={"lang": "en"})
    assert not at.exception
    assert "Open findings by kind" in texts(at)
    assert "First-pass yield" in {m.label for m in at.metric}
