"""The reports page: download buttons named after what they hold; a district leader's export holds
only their district, masked as the role requires; every export is logged (AppTest, demo DB)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
from sqlalchemy import select

from data_access.auth import load_user
from data_access.db import get_engine, read_session
from data_access.models import Audit
from tests.pages.conftest import texts
from tests.pages.delivery_helpers import open_page

PAGE = "pages/6_reports.py"
CUTOFF = datetime(2026, 11, 20, 2, 0)
AS_OF = date(2026, 11, 20)


def _buttons(at):  # type: ignore[no-untyped-def]
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_admin_gets_every_export_and_a_bulletin_preview(run_page):
    at = open_page(run_page, PAGE)
    assert not at.exception
    buttons = _buttons(at)
    assert {"推进情况报表（Excel）", "通报（Excel）", "通报（可打印网页）", "每个区工会一份（zip）", "下载 CSV"} <= set(buttons)
    assert "全区共有" in texts(at) and "进度最快" in texts(at)


def test_leader_export_holds_only_their_district(run_page, demo_sqlite_url):
    at = open_page(run_page, PAGE, login="leader1")
    assert not at.exception
    buttons = _buttons(at)
    assert "每个片区一份（zip）" in buttons and "每个区工会一份（zip）" not in buttons

    from ui import downloads
    from ui import loaders_delivery as data

    assert downloads.export_name("会员卡推进报表", "保税区工会", AS_OF, "xlsx") == "会员卡推进报表-保税区工会-2026-11-20.xlsx"

    engine = get_engine(demo_sqlite_url)
    with read_session(engine) as s:
        leader = load_user(s, "leader1")
        liaison = load_user(s, "liaison1")
    body = downloads.deferred(
        lambda: data.progress_workbook_bytes(leader.scope, 1, "活动", "保税区工会", AS_OF, CUTOFF, user_login="leader1", full_pii=leader.sees_full_pii, lang="zh"),
        leader, leader.scope, "会员卡推进报表-保税区工会-2026-11-20.xlsx", "test",
    )()
    book = openpyxl.load_workbook(io.BytesIO(body))
    for name in ("单位进度", "制卡结果", "制卡失败待处理", "发卡进度"):
        districts = {row[0] for row in book[name].iter_rows(min_row=4, values_only=True) if row[0]}
        assert districts == {"保税区工会"}, name
    with read_session(engine) as s:
        logged = s.execute(select(Audit.object, Audit.user_login, Audit.action).order_by(Audit.id.desc())).first()
    assert tuple(logged) == ("会员卡推进报表-保税区工会-2026-11-20.xlsx", "leader1", "export")

    masked, _ = data.progress_workbook_bytes(liaison.scope, 1, "活动", "片区", AS_OF, CUTOFF, user_login="liaison1", full_pii=False, lang="zh")
    failures = openpyxl.load_workbook(io.BytesIO(masked))["制卡失败待处理"]
    ids = [row[4] for row in failures.iter_rows(min_row=4, values_only=True) if row[4]]
    assert ids and all("*" in value for value in ids)


def test_split_zip_has_one_workbook_per_area(run_page, demo_sqlite_url):
    open_page(run_page, PAGE, login="leader1")
    from ui import loaders_delivery as data

    with read_session(get_engine(demo_sqlite_url)) as s:
        leader = load_user(s, "leader1")
    body, rows = data.split_zip_bytes(leader.scope, "area", 1, "活动", AS_OF, CUTOFF, user_login="leader1",
                                      full_pii=True, lang="zh", stem="会员卡推进报表")
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert len(names) == 3 and all(n.startswith("会员卡推进报表-保税区") and n.endswith("-2026-11-20.xlsx") for n in names)
    assert rows > 0


def test_reports_are_masked_by_default_and_print_well(run_page, demo_sqlite_url):
    """A leader's workbook holds masked numbers unless they choose full ones (a switch, off by
    default; a liaison has none); every table sheet prints landscape, one page wide, with its
    header row repeated and the title, scope and as-of date in the page header."""
    leader_page = open_page(run_page, PAGE, login="leader1")
    switch = leader_page.toggle(key="rpt_full_pii")
    assert switch.label == "导出完整的身份证号和手机号" and switch.value is False
    assert not [w for w in open_page(run_page, PAGE, login="liaison1").toggle if w.key == "rpt_full_pii"]

    from ui import loaders_delivery as data

    with read_session(get_engine(demo_sqlite_url)) as s:
        leader = load_user(s, "leader1")
    body, _ = data.progress_workbook_bytes(leader.scope, 1, "活动", "保税区工会", AS_OF, CUTOFF, user_login="leader1",
                                           full_pii=bool(switch.value), lang="zh")
    book = openpyxl.load_workbook(io.BytesIO(body))
    failures = book["制卡失败待处理"]
    ids = [row[4] for row in failures.iter_rows(min_row=4, values_only=True) if row[4]]
    assert ids and all("*" in value for value in ids)
    for sheet in book.worksheets[1:]:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0, sheet.title  # 1 wide is the default, omitted
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$3:$3", sheet.title
        assert "保税区工会" in sheet.oddHeader.right.text and "2026-11-20" in sheet.oddHeader.right.text, sheet.title
