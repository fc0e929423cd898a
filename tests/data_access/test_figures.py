"""Issue 9 points 1-4 on the hand-built campaign (tests/data_access/progress_fixture.py): the
workbook cover's statuses add up to its units, every milestone with its deadline and pace, the
chase list holds every unit not submitted that is overdue or at risk, the burn-up runs to the
cut-off."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from campaign.reports.bulletin import paragraph
from campaign.reports.progress_workbook import build_progress_workbook
from data_access import metrics, reports, submissions
from data_access.db import read_session, write_session
from data_access.models import Deadline
from tests.data_access import progress_fixture as fx


@pytest.fixture
def tiny(engine):
    fx.build(engine)
    return engine


def _cover(engine, cutoff=fx.CUTOFF) -> dict[str, object]:
    with read_session(engine) as session:
        report = reports.progress_report(session, fx.EVERYTHING, fx.CAMPAIGN, "测试活动", "全部", cutoff.date(), cutoff,
                                         exported_by="测试", full_pii=False)
    book = openpyxl.load_workbook(io.BytesIO(build_progress_workbook(report)))
    sheet = book["封面"]
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=1) if row[0].value and len(row) > 1}


def test_the_cover_parts_add_up_to_its_whole(tiny):
    cover = _cover(tiny)
    parts = {k: v for k, v in cover.items() if str(k).startswith("其中：")}
    # U1 submitted (pending), U2 errors, U3 nothing, U4 returned: one status each.
    assert parts == {"其中：未上传": 1, "其中：已上传有错误": 1, "其中：校验通过未报送": 0,
                     "其中：已报送待审核": 1, "其中：被退回": 1, "其中：审核通过": 0}
    assert sum(parts.values()) == cover["基层单位数"] == 4
    # Submitted = awaiting review or approved; late = due and never submitted (U2 only; the
    # returned U4 is counted as returned, not also as late).
    assert cover["已报送单位"] == parts["其中：已报送待审核"] + parts["其中：审核通过"] == 1
    assert cover["逾期未报送单位"] == 1
    # On time among the three units whose deadline has passed: none kept an on-time submission.
    assert (cover["截止时间已过的单位"], cover["截止时间未到的单位"], cover["按时报送率"]) == (3, 1, 0)
    assert cover["截止时间已过的单位"] + cover["截止时间未到的单位"] == cover["基层单位数"]


def test_the_late_sheet_and_the_unit_sheet_use_the_pages_status_names(tiny):
    with read_session(tiny) as session:
        report = reports.progress_report(session, fx.EVERYTHING, fx.CAMPAIGN, "测试活动", "全部", fx.CUTOFF.date(), fx.CUTOFF,
                                          exported_by="测试", full_pii=False)
    book = openpyxl.load_workbook(io.BytesIO(build_progress_workbook(report)))
    units = book["单位进度"]
    header = [c.value for c in units[3]]
    statuses = sorted(units.cell(row=r, column=header.index("状态") + 1).value for r in range(4, 8))
    assert statuses == sorted(["已报送待审核", "已上传有错误", "未上传", "被退回"])
    assert report.late_units["unit_id"].tolist() == [fx.U2]


def test_the_bulletin_on_the_fixture(tiny):
    with read_session(tiny) as session:
        data = reports.bulletin_input(session, fx.EVERYTHING, fx.CAMPAIGN, "测试活动", "全部", fx.CUTOFF.date(), fx.CUTOFF)
    text = paragraph(data)
    assert "已报送（待审核或审核通过）1家，报送率25.0%" in text
    assert "按状态分：未上传1家、已上传有错误1家、校验通过未报送0家、已报送待审核1家、被退回1家、审核通过0家，合计4家。" in text
    assert "截止时间已过的3家单位中，按时报送且未被退回0家，按时报送率0.0%；另有1家截止时间未到" in text
    assert "截止时间已过仍未报送的单位1家" in text and "被退回待重报1家" in text


def test_chase_list_holds_every_unit_not_submitted_that_is_overdue_or_at_risk(tiny):
    # 11-09 12:00: the district deadline is 16 h away. U1 is clean, U2 has errors: both at risk.
    with read_session(tiny) as session:
        board = submissions.submission_board(session, fx.EVERYTHING, fx.CAMPAIGN, datetime(2026, 11, 9, 12, 0))
    assert sorted(submissions.chase_list(board)["unit_id"]) == [fx.U1, fx.U2]
    assert submissions.at_risk_by_state(board) == {"not_started": 0, "errors": 1, "clean": 1, "returned": 0}
    # At the cut-off: U2 late, U4 returned past the deadline, U3 at risk (extension in 2 days).
    with read_session(tiny) as session:
        board = submissions.submission_board(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    chase = submissions.chase_list(board)
    assert sorted(chase["unit_id"]) == [fx.U2, fx.U3, fx.U4]
    assert submissions.at_risk_by_state(board) == {"not_started": 1, "errors": 0, "clean": 0, "returned": 0}


def test_every_milestone_with_its_deadline_found_up_the_tree(tiny):
    with write_session(tiny) as session:
        # The review deadline is set on the city (two levels above the district), the bank
        # batch on the district; distribution has none.
        session.add_all([
            Deadline(campaign_id=fx.CAMPAIGN, milestone="district_review", org_unit_id=1, due_at=datetime(2026, 11, 12, 4)),
            Deadline(campaign_id=fx.CAMPAIGN, milestone="bank_batch", org_unit_id=2, due_at=datetime(2026, 11, 20, 4)),
        ])
    with read_session(tiny) as session:
        progress = {p.milestone: p for p in metrics.milestone_progress(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)}
    assert list(progress) == ["unit_submission", "district_review", "bank_batch", "distribution"]
    sub = progress["unit_submission"]
    assert (sub.due_at, sub.due_earliest, sub.due_latest) == (fx.DUE, fx.DUE, fx.EXTENDED_DUE)
    # Submitted = U1 only (U4 returned); U1's submission (11-10 06:00) is within the last 7 days.
    assert (sub.total, sub.done, sub.recent, sub.overdue_units) == (4, 1, 1, 2)
    review = progress["district_review"]
    assert review.due_at == datetime(2026, 11, 12, 4) and (review.total, review.done) == (4, 0)
    bank = progress["bank_batch"]
    assert bank.due_at == datetime(2026, 11, 20, 4) and bank.counted_in == "members" and (bank.total, bank.done) == (0, 0)
    assert progress["distribution"].due_at is None


def test_burn_up_runs_to_the_cutoff(tiny):
    cutoff = datetime(2026, 11, 20, 2, 0)  # nothing new after 11-10: the stall must show
    with read_session(tiny) as session:
        units = metrics.unit_progress(session, fx.EVERYTHING, fx.CAMPAIGN, cutoff)
    burn = metrics.cumulative_submissions(units, cutoff)
    assert [d.strftime("%m-%d") for d in burn["day"]] == ["11-08", "11-09", "11-10", "11-20"]
    assert burn["submitted"].tolist() == [0, 1, 2, 2]
    empty = metrics.cumulative_submissions(units.iloc[0:0], cutoff)
    assert empty["submitted"].tolist() == [0] and empty["day"].iloc[0].date() == date(2026, 11, 20)
