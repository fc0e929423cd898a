"""A unit clerk in Chromium: a blank template cannot empty the unit, an oversized file is
refused in Chinese in plain sight, and a list that drops many members asks first."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from campaign.reports.template import template_bytes
from campaign.rules.id_number import calc_check_digit
from data_access.db import get_engine, read_session
from data_access.history import live
from data_access.models import Member, OrgUnit, Upload, User
from tests.browser.conftest import SCREENSHOTS, Server, assert_no_exception, sign_in, wait_for_app

pytestmark = pytest.mark.browser


def _sheet(path: Path, count: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["申报会员服务卡个人信息采集表"])
    sheet.append(["序号", "姓名", "身份证号码", "手机号码"])
    for k in range(1, count + 1):
        first17 = f"12010119860203{k:03d}"
        sheet.append([k, "张" + "伟芳娜敏静丽强磊军洋"[k % 10] + "一二三四五六七八九十"[k // 10 % 10], first17 + calc_check_digit(first17), f"139{k:08d}"])
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"
    book.save(path)
    return path


@pytest.fixture
def own_server(demo_sqlite_url, tmp_path):
    """A server on a private copy of the demo database (this test writes to it)."""
    copy = tmp_path / "safety.db"
    shutil.copy(Path(demo_sqlite_url.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    server = Server(url)
    yield server, url
    server.stop()


def _unit_members(url: str, unit_id: int) -> int:
    with read_session(get_engine(url)) as s:
        return s.scalar(select(func.count()).select_from(Member).where(Member.unit_id == unit_id, live())) or 0


def test_blank_lists_big_files_and_mass_removals_are_refused_or_confirmed(browser, own_server, tmp_path):
    server, url = own_server
    with read_session(get_engine(url)) as s:  # a unit that has not started: its list is empty
        started = select(Upload.unit_id).distinct()
        login, unit_id = s.execute(
            select(User.login, User.scope_id)
            .join(OrgUnit, OrgUnit.id == User.scope_id)
            .where(User.role == "unit", OrgUnit.level == "unit", User.scope_id.not_in(started))
            .order_by(User.id)
        ).first()
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(server.url + "/intake")
    sign_in(page, login)
    upload = page.locator('input[type="file"]')

    upload.set_input_files(str(_sheet(tmp_path / "名单.xlsx", 30)))
    page.get_by_role("button", name="保存为本单位名单").click()
    page.get_by_text("已保存").wait_for(timeout=60_000)
    assert _unit_members(url, unit_id) == 30

    blank = tmp_path / "空白模板.xlsx"
    blank.write_bytes(template_bytes())
    upload.set_input_files(str(blank))
    page.locator('[data-testid="stAlert"]', has_text="没有会员数据").wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.get_by_role("button", name="保存为本单位名单").count() == 0
    assert _unit_members(url, unit_id) == 30

    big = tmp_path / "太大的名单.csv"
    big.write_bytes(  # 36 MB: over the app's 30 MB, under the widget's 200 MB
("序号,姓名,身份证号码,手机号码\n" + "1,张三,110101199003077777,13812345678\n" * 900_000).encode())
    upload.set_input_files(str(big))
    refusal = page.locator('[data-testid="stAlert"]', has_text="文件过大")
    refusal.wait_for(timeout=60_000)
    assert refusal.is_visible()  # shown, not folded away in a collapsed status box
    assert page.get_by_text("must be").count() == 0  # not Streamlit's English refusal
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "intake-too-large-1440x900.png"), full_page=True)

    upload.set_input_files(str(_sheet(tmp_path / "少了很多人的名单.xlsx", 5)))
    page.get_by_role("button", name="保存为本单位名单").click()
    page.get_by_text("25 人不再在名单上").wait_for(timeout=60_000)
    wait_for_app(page)
    assert _unit_members(url, unit_id) == 30
    page.screenshot(path=str(SCREENSHOTS / "intake-confirm-removal-1440x900.png"), full_page=True)
    page.get_by_text("我确认").click()
    wait_for_app(page)
    page.get_by_role("button", name="保存为本单位名单").click()
    page.get_by_text("已保存").wait_for(timeout=60_000)
    assert_no_exception(page)
    assert _unit_members(url, unit_id) == 5
