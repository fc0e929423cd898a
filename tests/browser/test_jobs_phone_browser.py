"""The day's jobs in Chromium: the chase sheet per role, and at 390x844 the tables that matter
for a task (findings, units, bank failures, corrections) as cards whose key field is in view
and not clipped; at 1440x900 the grid. Screenshots of each page for leader1, liaison1, unit1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, Server, assert_no_exception, sign_in, wait_for_app
from tests.browser.test_intake_browser import _id, _sheet

pytestmark = pytest.mark.browser

PHONE = (390, 844)
DESKTOP = (1440, 900)


@pytest.fixture(scope="module")
def jobs_server(demo_sqlite_url, tmp_path_factory):
    """A server on a private copy of the demo database (the 已联系 click and uploads write)."""
    copy = tmp_path_factory.mktemp("jobs") / "jobs.db"
    shutil.copy(Path(demo_sqlite_url.removeprefix("sqlite:///")), copy)
    server = Server(f"sqlite:///{copy}")
    yield server
    server.stop()


def _open(browser, server, path, login, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server.url + path)
    sign_in(page, login)
    assert_no_exception(page)
    return context, page


def _shot(page, name, viewport):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"jobs-{name}-{viewport[0]}x{viewport[1]}.png"), full_page=True)


def _field_readable(page, key, label, width):
    """The first card's value for ``label`` lies inside the viewport's width and is not clipped."""
    narrow = page.locator(f".st-key-rnarrow_{key}")
    narrow.wait_for(state="visible", timeout=30_000)  # still drawing on a loaded machine: wait, then check
    state = page.evaluate(f"""() => [...document.querySelectorAll('.st-key-rwide_{key}, .st-key-rnarrow_{key}')]
        .map(e => e.className.split(' ').filter(c => c.startsWith('st-key')).join() + ':' + getComputedStyle(e).display)""")
    assert narrow.is_visible(), state
    assert not page.locator(f".st-key-rwide_{key}").is_visible(), state
    value = narrow.locator(".rcard").first.locator(f"dt:text-is('{label}') + dd")
    value.scroll_into_view_if_needed()
    box = value.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
    clipped = value.evaluate("e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1")
    assert not clipped
    assert value.inner_text().strip() not in ("", "—")
    return value.inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
@pytest.mark.parametrize("login", ["leader1", "liaison1", "unit1"])
def test_chase_sheet_page(browser, jobs_server, login, viewport):
    context, page = _open(browser, jobs_server, "/chase", login, viewport)
    main = page.locator('[data-testid="stMain"]')
    if login == "unit1":
        assert "今日催报供联络人和区工会使用" in main.inner_text()
        assert page.locator('[data-testid="stSidebar"] a:has-text("今日催报")').count() == 0
    else:
        code = page.locator('[data-testid="stCode"]').first
        code.scroll_into_view_if_needed()
        box = code.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport[0] + 0.5  # the reminder fits the screen
        assert "您好" in code.inner_text()
        assert page.get_by_role("button", name="已联系").count() >= 1
    _shot(page, f"chase-{login}", viewport)
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
@pytest.mark.parametrize("login", ["leader1", "liaison1", "unit1"])
def test_submissions_unit_table(browser, jobs_server, login, viewport):
    context, page = _open(browser, jobs_server, "/submissions", login, viewport)
    if viewport == PHONE:
        phone = _field_readable(page, "units", "联系电话", viewport[0])
        assert phone.strip().isdigit()
        assert page.locator(".st-key-rnarrow_units dt:text-is('联系电话') + dd a[href^='tel:']").count() >= 1
    else:
        # the table may still be drawing after the run settles on a loaded machine: wait for it
        page.locator(".st-key-rwide_units [data-testid='stDataFrame']").wait_for(state="visible", timeout=30_000)
        assert not page.locator(".st-key-rnarrow_units").is_visible()
    if login == "unit1":
        assert "催报" not in page.locator('[data-testid="stMain"]').inner_text()
    _shot(page, f"submissions-{login}", viewport)
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
@pytest.mark.parametrize("login", ["leader1", "liaison1", "unit1"])
def test_bank_failure_list(browser, jobs_server, login, viewport):
    context, page = _open(browser, jobs_server, "/bank", login, viewport)
    if viewport == PHONE and page.locator(".st-key-rnarrow_bank_failures").count():
        _field_readable(page, "bank_failures", "失败原因", viewport[0])
    _shot(page, f"bank-{login}", viewport)
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
@pytest.mark.parametrize("login", ["leader1", "liaison1", "unit1"])
def test_corrections_list(browser, jobs_server, login, viewport):
    context, page = _open(browser, jobs_server, "/corrections", login, viewport)
    if viewport == PHONE and page.locator(".st-key-rnarrow_corrections").count():
        _field_readable(page, "corrections", "银行反馈原因", viewport[0])
    if login == "leader1":
        assert page.locator(".st-key-rnarrow_corrections").count() == 1  # leader1's district has open failures
    _shot(page, f"corrections-{login}", viewport)
    context.close()


def test_leader_bank_list_is_cards_on_a_phone(browser, jobs_server):
    context, page = _open(browser, jobs_server, "/bank", "leader1", PHONE)
    reason = _field_readable(page, "bank_failures", "失败原因", PHONE[0])
    assert len(reason.strip()) >= 2
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_intake_findings(browser, jobs_server, tmp_path, viewport):
    context, page = _open(browser, jobs_server, "/intake", "unit1", viewport)
    good = [("张伟", _id("19850312", 11), "13812345678")]
    bad_id = _id("19880101", 33)
    bad = [*good, ("王 芳", bad_id[:17] + ("1" if bad_id.endswith("0") else "0"), "1381234567")]
    page.locator('input[type="file"]').set_input_files(str(_sheet(tmp_path / "有错误的名单.xlsx", bad)))
    page.get_by_text("有 2 处错误").or_(page.get_by_text("有 3 处错误")).first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    if viewport == PHONE:
        problem = _field_readable(page, "findings", "问题", viewport[0])
        fix = _field_readable(page, "findings", "修改建议", viewport[0])
        assert len(problem) > 4 and len(fix) > 4
    else:
        assert page.locator(".st-key-rwide_findings [data-testid='stDataFrame']").is_visible()
    _shot(page, "intake-unit1", viewport)
    context.close()
