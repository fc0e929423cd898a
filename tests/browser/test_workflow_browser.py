"""The main path of the campaign through the real pages in Chromium, as three people: a unit
clerk uploads and submits, the district leader approves, the administrator approves for the
new-area union, the leader sends a bank batch, imports the bank's results and hands the cards
to the unit; the unit's timeline shows it all. Screenshots at 1440x900 and 390x844."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import func, select

from campaign.rules.id_number import calc_check_digit
from data_access.db import get_engine, read_session
from data_access.history import live
from data_access.models import Member, OrgUnit, Upload, User
from tests.browser.conftest import SCREENSHOTS, Server, assert_no_exception, sign_in, wait_for_app

pytestmark = pytest.mark.browser
PEOPLE = [("周建国", "19820304", 11), ("吴秀英", "19900512", 22), ("郑海涛", "19781120", 33), ("王丽娟", "19950101", 44)]


def _ids() -> list[str]:
    return [f"120116{birth}{seq:03d}" + calc_check_digit(f"120116{birth}{seq:03d}") for _, birth, seq in PEOPLE]


def _sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["申报会员服务卡个人信息采集表"])
    sheet.append(["序号", "姓名", "身份证号码", "手机号码"])
    for k, ((name, _, _), number) in enumerate(zip(PEOPLE, _ids(), strict=True), start=1):
        sheet.append([k, name, number, f"1391234{k:04d}"])
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"
    book.save(path)
    return path


@pytest.fixture
def own_server(demo_sqlite_url: str, tmp_path: Path):
    copy = tmp_path / "workflow.db"
    shutil.copy(Path(demo_sqlite_url.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    server = Server(url)
    yield server, url
    server.stop()


def _open(browser: Browser, server: Server, path: str, login: str, size: tuple[int, int] = (1440, 900)) -> Page:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server.url + path)
    sign_in(page, login)
    assert_no_exception(page)
    return page


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"), full_page=True)


def _choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox or multiselect by its label."""
    main = page.locator('[data-testid="stMain"]')  # not the sidebar's filters
    box = main.locator('[data-testid="stSelectbox"]:visible, [data-testid="stMultiSelect"]:visible').filter(has_text=label).first
    box.click()
    page.keyboard.type(option)  # long lists are virtual: filter first
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")  # a multiselect stays open after a pick
    wait_for_app(page)


def _both_sizes(browser: Browser, server: Server, path: str, login: str, name: str) -> None:
    for size in ((1440, 900), (390, 844)):
        page = _open(browser, server, path, login, size)
        _shot(page, name)
        page.context.close()


def test_unit_district_and_admin_take_a_list_from_upload_to_cards(browser: Browser, own_server, tmp_path: Path) -> None:
    server, url = own_server
    with read_session(get_engine(url)) as s:  # a unit that has not started, and its district leader
        started = select(Upload.unit_id).distinct()
        clerk, unit_id = s.execute(
            select(User.login, User.scope_id).join(OrgUnit, OrgUnit.id == User.scope_id)
            .where(User.role == "unit", OrgUnit.level == "unit", User.scope_id.not_in(started)).order_by(User.id)
        ).first()
        unit = s.get(OrgUnit, unit_id)
        assert unit is not None
        unit_name, district_id = unit.name, unit.district_id
        leader = s.scalar(select(User.login).where(User.role == "district_leader", User.scope_id == district_id))

    # the clerk uploads a clean list and submits it with the unit form
    page = _open(browser, server, "/intake", clerk)
    page.locator('input[type="file"]').set_input_files(str(_sheet(tmp_path / "名单.xlsx")))
    page.get_by_role("button", name="保存为本单位名单").click()
    page.get_by_text("已保存").first.wait_for(timeout=60_000)
    wait_for_app(page)
    _shot(page, "workflow-1-intake")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="提交报送").click()  # same session
    page.get_by_text("我确认已收集").first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_text("我确认已收集").first.click()  # the consents and ID copies confirmation
    page.get_by_role("button", name="提交报送").click()
    page.get_by_text("等待").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    _shot(page, "workflow-2-submitted")
    page.context.close()

    # the district leader approves it; the administrator approves for the new-area union
    for login, shot, said in ((leader, "workflow-3-district-review", "已报"), ("admin", "workflow-4-newarea-review", "个单位审核通过")):
        page = _open(browser, server, "/review", login)
        _choose(page, "选择单位", unit_name)
        page.get_by_role("button", name="审核通过").click()
        page.locator('[data-testid="stAlert"]').filter(has_text=said).first.wait_for(timeout=60_000)
        wait_for_app(page)
        assert_no_exception(page)
        _shot(page, shot)
        page.context.close()

    # the leader sends the unit's members to the bank and imports the results
    page = _open(browser, server, "/batches", leader)
    page.locator('[data-testid="stRadio"]').get_by_text("按单位").click()
    wait_for_app(page)
    _choose(page, "单位", unit_name)
    page.get_by_label("开卡银行网点").fill("建行滨海新区支行")
    page.get_by_role("button", name="生成批次").click()
    page.get_by_text("已生成批次").first.wait_for(timeout=60_000)
    wait_for_app(page)
    result = tmp_path / "开卡结果.csv"
    lines = ["身份证号码,姓名,开卡结果,失败原因,卡号"] + [
        f"{number},{name},成功,,62170000{k:08d}" for k, ((name, _, _), number) in enumerate(zip(PEOPLE, _ids(), strict=True))
    ]
    result.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    page.locator('input[type="file"]').last.set_input_files(str(result))
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    _shot(page, "workflow-5-batches")
    page.context.close()

    # the cards come: received by the district, handed to the unit
    page = _open(browser, server, "/cards", leader)
    _choose(page, "整单位登记领卡", unit_name)
    page.get_by_role("button", name="登记领卡").click()
    page.get_by_text("已登记").first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_role("tab", name="交付单位").click()
    _choose(page, "单位", unit_name)
    page.get_by_label("单位接收人").fill("周建国")
    page.get_by_role("button", name="登记交付单位").click()
    page.get_by_text("已登记").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    _shot(page, "workflow-6-cards")
    page.context.close()

    with read_session(get_engine(url)) as s:
        stages = dict(s.execute(select(Member.stage, func.count()).where(Member.unit_id == unit_id, live()).group_by(Member.stage)).all())
    assert stages == {"distributed": 4}

    # everyone sees it on the unit's timeline
    _both_sizes(browser, server, f"/timeline?unit_id={unit_id}", "admin", "workflow-7-timeline")
    page = _open(browser, server, f"/timeline?unit_id={unit_id}", "admin")
    text = page.locator('[data-testid="stMain"]').inner_text()
    page.context.close()
    # upload, submission, two review decisions, batch, bank results, received, handed to the unit
    assert "共 8 条" in text and unit_name in text
    for path, name in (("/submit", "workflow-submit"), ("/intake", "workflow-intake")):
        _both_sizes(browser, server, path, clerk, name)
    for path, name in (("/review", "workflow-review"), ("/batches", "workflow-batches"), ("/cards", "workflow-cards"),
                       ("/corrections", "workflow-corrections")):
        _both_sizes(browser, server, path, leader, name)
