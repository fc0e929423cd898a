"""The ranked progress bulletin: ranking, the generated paragraph, the workbook and the HTML."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from campaign.reports.bulletin import (
    BulletinInput,
    bulletin_html,
    bulletin_workbook,
    paragraph,
    rank_groups,
    rank_units,
)

GROUPS = pd.DataFrame({
    "org_id": [1, 2, 3], "org_name": ["保税区工会", "开发区工会", "高新区工会"], "units": [10, 10, 10],
    "units_submitted": [5, 8, 2], "submission_rate": [0.5, 0.8, 0.2], "on_time_rate": [0.4, 0.7, 0.1],
    "late_units": [3, 1, 6], "validated": [500, 700, 100], "coverage": [0.5, 0.7, 0.1],
})
UNITS = pd.DataFrame({
    "unit_name": ["<script>alert(1)</script>", "乙单位", "丙单位", "丁单位"], "district_name": ["保税区工会"] * 4,
    "area_name": ["一片区"] * 4, "status": ["submitted", "approved", "not_started", "approved"],
    "expected_members": [10, 10, 10, 0], "validated": [10, 5, 0, 0],
})
FIGURES = {"units_expected": 30, "units_submitted": 15, "submission_rate": 0.5, "units_on_time": 12,
           "members_validated": 1300, "coverage": 0.4333, "late_units": 10, "results_received": 0,
           "units_due": 20, "units_not_due": 10, "on_time_rate": 0.6,
           "status_not_started": 6, "status_errors": 4, "status_clean": 2, "status_submitted": 5,
           "status_returned": 3, "status_approved": 10}


def _input(groups: pd.DataFrame = GROUPS, label: str = "全部") -> BulletinInput:
    return BulletinInput("测试活动", label, date(2026, 11, 20), "district", groups, UNITS, FIGURES)


def test_groups_ranked_by_submission_rate():
    ranked = rank_groups(GROUPS)
    assert ranked["org_name"].tolist() == ["开发区工会", "保税区工会", "高新区工会"]
    assert ranked["rank"].tolist() == [1, 2, 3]


def test_units_ranked_by_status_then_coverage():
    ranked = rank_units(UNITS)
    assert ranked["unit_name"].tolist() == ["乙单位", "丁单位", "<script>alert(1)</script>", "丙单位"]
    assert ranked["coverage"].tolist()[0] == 0.5


def test_paragraph_says_where_things_stand():
    text = paragraph(_input())
    assert text.startswith("截至11月20日，全区共有30家基层单位，已报送（待审核或审核通过）15家，报送率50.0%")
    assert "开发区工会进度最快（报送率80.0%）" in text and "高新区工会进度较慢（报送率20.0%）" in text
    # On time among the units whose deadline has passed, the units not yet due beside it.
    assert "截止时间已过的20家单位中，按时报送且未被退回12家，按时报送率60.0%；另有10家截止时间未到" in text
    assert "截止时间已过仍未报送的单位10家" in text
    assert "被退回待重报3家" in text
    assert "银行" not in text  # no bank results yet: no bank sentence


def test_paragraph_in_english_and_for_one_group():
    text = paragraph(_input(GROUPS.head(1), label="保税区工会"), "en")
    assert text.startswith("As of 11/20, 保税区工会 has 30 units")
    assert "leads" not in text


def test_workbook_has_the_paragraph_and_both_rankings():
    book = openpyxl.load_workbook(io.BytesIO(bulletin_workbook(_input())))
    assert book.sheetnames == ["通报", "排名-区工会", "排名-单位"]
    assert book["通报"]["A4"].value.startswith("截至11月20日")
    ranking = book["排名-区工会"]
    assert ranking.freeze_panes == "A4"
    assert [ranking.cell(row=r, column=2).value for r in (4, 5, 6)] == ["开发区工会", "保税区工会", "高新区工会"]
    assert all(c.data_type != "f" for s in book.worksheets for row in s.iter_rows() for c in row)


def test_html_is_printable_and_escaped():
    page = bulletin_html(_input())
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert page.index("开发区工会") < page.index("高新区工会")


def test_ties_share_a_rank_and_both_are_named():
    """Two districts at the same rate are both the fastest (并列), never silently first and second."""
    tied = GROUPS.assign(submission_rate=[0.8, 0.8, 0.2], coverage=[0.5, 0.7, 0.1])
    ranked = rank_groups(tied)
    assert ranked["rank"].tolist() == [1, 1, 3]
    assert ranked["org_name"].tolist()[:2] == ["开发区工会", "保税区工会"]  # within the tie: by coverage
    text = paragraph(_input(tied))
    assert "开发区工会、保税区工会并列进度最快（报送率80.0%）" in text
    assert "高新区工会进度较慢" in text
    same = paragraph(_input(GROUPS.assign(submission_rate=[0.5, 0.5, 0.5])))
    assert "最快" not in same and "并列" in same
    units = rank_units(UNITS.assign(status=["approved"] * 4, validated=[5, 5, 0, 0]))
    assert units["rank"].tolist() == [1, 1, 3, 4]  # the last has no declared headcount: no coverage


def test_paragraph_names_every_status_once_and_the_parts_add_up():
    text = paragraph(_input())
    # The same status names as the submissions page (progress.status.*), each unit in one.
    assert "按状态分：未上传6家、已上传有错误4家、校验通过未报送2家、已报送待审核5家、被退回3家、审核通过10家，合计30家。" in text
    assert FIGURES["units_expected"] == 6 + 4 + 2 + 5 + 3 + 10
    # "Submitted" is awaiting review or approved: returned units are not also counted as submitted.
    assert FIGURES["status_submitted"] + FIGURES["status_approved"] == FIGURES["units_submitted"]


def test_unit_ranking_uses_the_pages_status_names():
    book = openpyxl.load_workbook(io.BytesIO(bulletin_workbook(_input())))
    statuses = {book["排名-单位"].cell(row=r, column=5).value for r in range(4, 8)}
    assert statuses == {"审核通过", "已报送待审核", "未上传"}
