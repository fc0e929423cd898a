"""Issue 9 points 1-4, 11, 12 in headless Chromium: the overview and the submissions page as a
district leader, a liaison and a unit clerk, at desktop and phone sizes (screenshots kept), and
a unit at zero progress clicked in the drill-down opens that unit's view."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, assert_no_exception, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

VIEWPORTS = [(1440, 900), (390, 844)]


def _shot(page, name: str, viewport: tuple[int, int]) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport[0]}x{viewport[1]}.png"), full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("login", ["leader1", "liaison1", "unit1"])
def test_overview_and_submissions_for_each_role(open_page, login, viewport):
    page = open_page("/", login=login, viewport=viewport)
    wait_for_charts(page, 1)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    if login == "unit1":
        assert "当前状态" in main and "各环节截止时间" in main and "查看本单位时间线" in main
        assert "会员办卡进度漏斗" not in main and "累计报送单位" not in main
    else:
        assert "各环节截止时间与进度" in main and "区级审核" in main and "卡片发放" in main
        assert any(s in main for s in ("截止时间未到", "尚无单位到截止时间", "各单位截止时间均已过"))
    assert "1.79" not in main
    _shot(page, f"figures-overview-{login}", viewport)
    # the submissions page through the sidebar menu (a page change keeps the session)
    if viewport[0] < 600:
        page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
    page.locator('[data-testid="stSidebar"]').get_by_text("报送进度", exact=True).click()
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("报送进度")', timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    if viewport[0] < 600 and page.locator('[data-testid="stSidebarCollapseButton"] button').count():
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()  # the menu covers the page
        page.wait_for_timeout(800)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "逾期未报送" in main and "临近截止未报送" in main and "按时报送率" in main
    _shot(page, f"figures-submissions-{login}", viewport)


def test_a_unit_at_zero_is_clickable_and_opens_its_own_view(open_page):
    page = open_page("/", login="liaison1", viewport=(1440, 2400))
    wait_for_charts(page, 3)
    chart = page.locator('[data-testid="stPlotlyChart"]').last
    bars = chart.locator("g.point path")
    assert bars.count() >= 2
    box = bars.first.bounding_box()  # the first bar is the lowest rate (sorted ascending)
    assert box is not None and box["width"] >= 3
    bars.first.click(force=True)
    page.wait_for_url("**unit=**", timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert "当前状态" in page.locator('[data-testid="stMain"]').inner_text()
