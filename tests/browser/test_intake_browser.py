"""A unit clerk uploads real sheets in Chromium: sees every mistake, then stores a clean sheet."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from campaign.rules.id_number import calc_check_digit
from data_access.db import get_engine, read_session
from data_access.history import live
from data_access.models import Audit, Member, OrgUnit, Upload, User
from tests.browser.conftest import SCREENSHOTS, Server, assert_no_exception, sign_in, wait_for_app

pytestmark = pytest.mark.browser


def _id(birth: str, seq: int) -> str:
    first17 = f"120101{birth}{seq:03d}"
    return first17 + calc_check_digit(first17)


def _sheet(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["申报会员服务卡个人信息采集表"])
    sheet.append(["序号", "姓名", "身份证号码", "手机号码"])
    for index, (name, id_number, phone) in enumerate(rows, start=1):
        sheet.append([index, name, id_number, phone])
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"
    book.save(path)
    return path


@pytest.fixture
def own_server(demo_sqlite_url, tmp_path):
    """A server on a private copy of the demo database (this test writes to it)."""
    source = Path(demo_sqlite_url.removeprefix("sqlite:///"))
    copy = tmp_path / "intake.db"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    server = Server(url)
    yield server, url
    server.stop()


def test_unit_clerk_checks_a_bad_sheet_then_stores_a_clean_one(browser, own_server, tmp_path):
    server, url = own_server
    with read_session(get_engine(url)) as s:
        unit_id = s.scalar(select(User.scope_id).where(User.login == "unit1"))
        unit_name = s.scalar(select(OrgUnit.card_unit_name).where(OrgUnit.id == unit_id))
        uploads_before = s.scalar(select(func.count()).select_from(Upload).where(Upload.unit_id == unit_id))
        replaced = s.scalar(
            select(func.count()).select_from(Member)
            .where(Member.unit_id == unit_id, live(), Member.stage.in_(("collected", "validated")))
        ) or 0
    good = [("张伟", _id("19850312", 11), "13812345678"), ("李娜", _id("19900607", 22), "13987654321")]
    bad = [*good, ("王 芳", _id("19880101", 33)[:17] + "0", "1381234567")]  # wrong check digit, short phone, inner space
    if _id("19880101", 33).endswith("0"):
        bad[-1] = ("王 芳", _id("19880101", 33)[:17] + "1", "1381234567")

    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(server.url + "/intake")
    sign_in(page, "unit1")
    assert unit_name in page.locator('[data-testid="stMain"]').inner_text()

    page.locator('input[type="file"]').set_input_files(str(_sheet(tmp_path / "有错误的名单.xlsx", bad)))
    page.get_by_text("有 3 处错误").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 1  # the findings table
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "intake-errors-1440x900.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载标注了错误的表格").click()
    marked = tmp_path / download.value.suggested_filename
    download.value.save_as(marked)
    assert marked.name.endswith(".xlsx") and "校验结果" in marked.name
    book = openpyxl.load_workbook(marked)
    assert "错误清单" in book.sheetnames
    listed = "\n".join(str(cell.value) for row in book["错误清单"].iter_rows() for cell in row if cell.value)
    assert "校验位" in listed and "手机" in listed and "空格" in listed

    page.locator('input[type="file"]').set_input_files(str(_sheet(tmp_path / "改好的名单.xlsx", good)))
    page.get_by_role("button", name="保存为本单位名单").wait_for(timeout=60_000)
    page.get_by_role("button", name="保存为本单位名单").click()
    if replaced > 3:  # dropping more than a few of the unit's current members asks first
        page.get_by_text("我确认").click()
        wait_for_app(page)
        page.get_by_role("button", name="保存为本单位名单").click()
    page.get_by_text("已保存").wait_for(timeout=60_000)
    assert_no_exception(page)
    context.close()
    with read_session(get_engine(url)) as s:
        # both uploads are kept: the one with errors (its findings) and the clean one
        assert s.scalar(select(func.count()).select_from(Upload).where(Upload.unit_id == unit_id)) == uploads_before + 2
        names = set(s.scalars(select(Member.name).where(Member.unit_id == unit_id, live(), Member.name.in_(["张伟", "李娜"]))))
        assert names == {"张伟", "李娜"}
        logged = set(s.execute(select(Audit.action, Audit.object).where(Audit.user_login == "unit1")).all())
        assert ("import", "有错误的名单.xlsx") in logged and ("import", "改好的名单.xlsx") in logged
        assert ("export", marked.name) in logged  # the marked-up workbook's download
