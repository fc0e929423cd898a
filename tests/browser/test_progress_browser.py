"""The submissions and validation pages in headless Chromium on a real `streamlit run`."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, assert_no_exception, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

VIEWPORTS = [(1440, 900), (390, 844)]


def shoot_section(page, heading: str, shot: str, viewport: tuple[int, int]) -> None:
    """Scroll a section's heading to the top and save what the screen shows then."""
    page.get_by_role("heading", name=heading).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / f"{shot}-{viewport[0]}x{viewport[1]}.png"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_submissions_page(open_page, viewport):
    page = open_page("/submissions", login="liaison1", viewport=viewport, shot="submissions")
    assert page.get_by_role("heading", name="报送进度").is_visible()
    wait_for_charts(page, 1)
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    assert page.get_by_text("今日需催报").count() >= 1  # the chase sheet (今日催报) has the reminders
    shoot_section(page, "催报清单", "submissions-chase", viewport)
    shoot_section(page, "单位明细", "submissions-table", viewport)
    assert_no_exception(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_validation_page(open_page, viewport):
    page = open_page("/validation", viewport=viewport, shot="validation")
    assert page.get_by_role("heading", name="校验错误").is_visible()
    wait_for_charts(page, 3)
    assert page.locator('[data-testid="stDataFrame"]').count() == 2
    shoot_section(page, "各类问题数量（未解决）", "validation-codes", viewport)
    shoot_section(page, "每日新增与未解决错误", "validation-trend", viewport)
    shoot_section(page, "查看单位的校验问题", "validation-drill", viewport)
    assert_no_exception(page)


def test_validation_deep_link_with_filters(open_page):
    page = open_page("/validation?district=保税区工会&as_of=2026-11-18", viewport=(1440, 900), shot="validation-filtered")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "保税区工会" in main and "2026-11-18" in main
    assert "district=" in page.url
    wait_for_app(page)
    assert_no_exception(page)

