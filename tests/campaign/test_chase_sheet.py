"""The chase sheet's Excel file and texts: Chinese headers, no formulas, the reminder present;
countdowns in hours under two days."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd

from campaign.reports.chase_sheet import chase_workbook, display_frame

CUTOFF = datetime(2026, 11, 20, 2, 0)  # 11-20 10:00 in Shanghai


def _sheet() -> pd.DataFrame:
    base = {
        "unit_id": 1, "code": "U1", "district_name": "保税区工会", "area_name": "第一片区", "liaison_name": "李强",
        "liaison_phone": "13900000001", "contact_name": "王芳", "contact_phone": "13700000011",
        "late": True, "at_risk": False, "id_copies_missing": None, "consents_missing": None,
        "last_submitted_at": None, "open_errors": 3, "bank_failures_open": 0, "expected_members": 5,
        "members_outstanding": 5, "return_reason": None, "contacted_today": False, "contacts_today": 0,
        "contacted_today_at": None, "last_chase_at": None, "last_chase_by": None, "last_chase_channel": None,
        "last_chase_note": None, "last_promised_date": None, "chases": 0,
    }
    return pd.DataFrame([
        {**base, "unit_name": "=HYPERLINK(\"http://x\")工会", "status": "errors", "due_at": datetime(2026, 11, 19, 22, 0),
         "hours_left": -4.0, "reasons": ("late",), "missing_materials": ("sheet", "unit_form", "id_copies", "consents"),
         "reminder": "王芳您好！请尽快改正后报送。谢谢！", "last_chase_at": datetime(2026, 11, 19, 7, 0),
         "last_chase_by": "李强", "last_chase_channel": "phone", "last_chase_note": "+答应明天上传"},
        {**base, "unit_id": 2, "unit_name": "丙公司工会", "status": "submitted", "due_at": datetime(2026, 11, 18, 4, 0),
         "late": False, "hours_left": -46.0, "reasons": ("paper", "bank_failures"), "missing_materials": ("id_copies",),
         "id_copies_missing": 4, "last_submitted_at": datetime(2026, 11, 17), "bank_failures_open": 2,
         "contacted_today": True, "contacts_today": 1, "contacted_today_at": datetime(2026, 11, 20, 1, 15),
         "reminder": "您好！纸质材料还缺：每人两份身份证复印件。谢谢！"},
        {**base, "unit_id": 3, "unit_name": "丁公司工会", "status": "not_started", "due_at": datetime(2026, 11, 21, 20, 0),
         "late": False, "at_risk": True, "hours_left": 42.0, "reasons": ("at_risk",),
         "missing_materials": ("sheet", "unit_form", "id_copies", "consents"), "reminder": "您好！距截止还有1天。"},
    ])


def test_display_texts():
    frame = display_frame(_sheet(), CUTOFF).set_index("no")
    assert frame.loc[1, "countdown"] == "已超期 4 小时"
    assert frame.loc[2, "countdown"] == "已报送"
    assert frame.loc[3, "countdown"] == "还剩 1 天 18 小时"
    assert frame.loc[1, "missing"] == "全部（未报送）" and frame.loc[2, "missing"] == "身份证复印件（缺4份）"
    assert frame.loc[2, "reasons"] == "纸质材料未齐、制卡失败待更正"
    assert frame.loc[2, "contacted"] == "09:15" and frame.loc[1, "contacted"] == ""
    assert frame.loc[1, "last"] == "11-19 15:00 电话 李强：+答应明天上传"
    assert frame.loc[1, "due"] == "2026-11-20 06:00"


def test_workbook_has_chinese_headers_no_formulas_and_the_reminders():
    body = chase_workbook(_sheet(), campaign_name="2026年会员服务卡", scope_label="第一片区", as_of=date(2026, 11, 20),
                          cutoff=CUTOFF, exported_by="李强")
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["催报清单"]
    ws = book["催报清单"]
    assert ws["A1"].value == "今日催报清单"
    assert "第一片区" in ws["A2"].value and "共 3 家单位" in ws["A2"].value and "李强" in ws["A2"].value
    headers = [c.value for c in ws[3]]
    assert headers == ["序号", "片区", "单位", "填表人", "联系电话", "状态", "截止时间", "剩余/超期", "催报原因", "缺少纸质材料",
                       "未改错误", "制卡失败待更正", "今日已联系", "上次联系", "提醒短信"]  # one district: no district column
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert len(rows) == 3
    assert rows[0][2] == "'=HYPERLINK(\"http://x\")工会"  # defused
    assert rows[0][4] == "13700000011" and ws.cell(4, 5).data_type == "s"  # the phone as text
    assert rows[0][-1] == "王芳您好！请尽快改正后报送。谢谢！"
    assert rows[1][11] == 2 and rows[1][12] == "09:15"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
