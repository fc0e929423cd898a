"""The bank, distribution and reports pages in headless Chromium (real `streamlit run`, demo DB)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

VIEWPORTS = [(1440, 900), (390, 844)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_bank_page(open_page, viewport):
    page = open_page("/bank", viewport=viewport, shot="bank")
    assert page.get_by_role("heading", name="银行制卡").is_visible()
    assert page.locator('[data-testid="stMetric"]').count() >= 5
    wait_for_charts(page, 2)
    assert_no_exception(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_distribution_page(open_page, viewport):
    page = open_page("/distribution", viewport=viewport, shot="distribution")
    assert page.get_by_role("heading", name="发卡进度").is_visible()
    wait_for_charts(page, 2)
    assert page.locator('[data-testid="stFileUploader"]').count() == 1
    assert_no_exception(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_reports_page(open_page, viewport):
    page = open_page("/reports", viewport=viewport, shot="reports")
    assert page.get_by_role("heading", name="导出报表").is_visible()
    assert page.locator('[data-testid="stDownloadButton"]').count() >= 4
    assert_no_exception(page)


def test_leader_downloads_a_workbook_named_after_their_district(open_page):
    page = open_page("/reports", login="leader1")
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="推进情况报表（Excel）").click()
    download = info.value
    assert download.suggested_filename.startswith("会员卡推进报表-保税区工会-")
    assert download.suggested_filename.endswith(".xlsx")
    wait_for_app(page)
    assert_no_exception(page)
